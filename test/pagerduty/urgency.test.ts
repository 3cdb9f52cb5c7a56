/** The PagerDuty incident a severity opens carries its urgency: opsroom.yml `severities[].urgency`, else high for P1/P2. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { InMemoryPagerLinks } from '#pagerduty/links.js';
import { PagerDutyPager } from '#pagerduty/pager.js';
import { pagerDutySettings } from '#wiring/pagerduty.js';
import { effect, incident, world, type World } from './support/world.js';

let w: World | undefined;
let dir = '';
afterEach(async () => {
  expect(w?.fake.violations ?? []).toEqual([]);
  await w?.fake.close();
  w = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A pager built the way opsroom builds it: env + opsroom.yml through the wiring. */
async function pagerFrom(yml: string) {
  w = await world();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-urgency-'));
  writeFileSync(join(dir, 'opsroom.yml'), yml);
  const env = parseEnv({ PAGERDUTY_TOKEN: 'tok-123', PAGERDUTY_API_URL: w.fake.url, PAGERDUTY_FROM: w.users.bot.email, PAGERDUTY_SERVICE_ID: w.services.checkout.id });
  const settings = pagerDutySettings(env, loadFileConfig(join(dir, 'opsroom.yml')), { timeoutMs: 2000, rateLimitRetryMs: 5 })!;
  return new PagerDutyPager(settings, new InMemoryPagerLinks(), w.clock);
}

const opened = async (pager: PagerDutyPager, id: number, severity: string) => {
  await pager.deliver(effect({ type: 'pager.trigger' }, { incidentId: id }), incident({ id, severity }));
  const sent = w!.fake.requestsTo('POST', /^\/incidents$/).at(-1)!;
  return { sent: (sent.body as { incident: { urgency?: string } }).incident.urgency, stored: [...w!.fake.incidents.values()].at(-1)!.urgency };
};

describe('PagerDuty urgency per severity', () => {
  it('defaults to high for P1 and P2, low for P3 and P4', async () => {
    const pager = await pagerFrom('');
    expect(await opened(pager, 1, 'P1')).toEqual({ sent: 'high', stored: 'high' });
    expect(await opened(pager, 2, 'P2')).toEqual({ sent: 'high', stored: 'high' });
    expect(await opened(pager, 3, 'P3')).toEqual({ sent: 'low', stored: 'low' });
    expect(await opened(pager, 4, 'P4')).toEqual({ sent: 'low', stored: 'low' });
  });

  it('follows severities[].urgency in opsroom.yml, on open and on a severity change', async () => {
    const pager = await pagerFrom(`severities:
  - { id: P1, responseMinutes: 5, updateIntervalMinutes: 15, urgency: high }
  - { id: P2, responseMinutes: 15, updateIntervalMinutes: 30, urgency: low }
  - { id: P3, responseMinutes: 60, updateIntervalMinutes: 120, urgency: high }
  - { id: P4, responseMinutes: 480, updateIntervalMinutes: 480 }
`);
    expect(await opened(pager, 1, 'P2')).toEqual({ sent: 'low', stored: 'low' });
    expect(await opened(pager, 2, 'P3')).toEqual({ sent: 'high', stored: 'high' });
    expect(await opened(pager, 3, 'P4')).toEqual({ sent: 'low', stored: 'low' });
    await pager.deliver(effect({ type: 'pager.severity', severity: 'P1' }, { incidentId: 1 }), incident({ id: 1, severity: 'P1' }));
    expect([...w!.fake.incidents.values()][0].urgency).toBe('high');
  });

  it('refuses an urgency other than high or low, naming the line', () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-urgency-'));
    writeFileSync(join(dir, 'opsroom.yml'), 'severities:\n  - { id: P1, responseMinutes: 5, updateIntervalMinutes: 15, urgency: urgent }\n');
    expect(() => loadFileConfig(join(dir, 'opsroom.yml'))).toThrow(/opsroom\.yml:2:\d+ severities\.0\.urgency/);
  });
});
