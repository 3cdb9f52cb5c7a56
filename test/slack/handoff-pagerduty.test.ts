/** Handoffs with PagerDuty on: shift window and on-call people from the PagerDuty fake's schedule. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { FileConfigSchema } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { world, type World } from '../pagerduty/support/world.js';
import { visibleText } from '../support/opsroom.js';

const INC = 'C0INCIDENTS';
const HOUR = 3_600_000;
let w: World;
let dir: string;
let ops: Opsroom;

beforeEach(async () => {
  w = await world();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-handoff-pd-'));
  const env = parseEnv({
    PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'),
    PAGERDUTY_TOKEN: 'tok-123', PAGERDUTY_API_URL: w.fake.url, PAGERDUTY_FROM: w.users.bot.email, PAGERDUTY_SERVICE_ID: w.services.checkout.id,
  });
  const { services, severityMap, escalationPolicies } = w.settings;
  const file = FileConfigSchema.parse({
    pagerduty: { services, severityMap, escalationPolicies },
    handoff: { pagerdutyPolicy: 'SRE', users: { 'ana@example.com': 'U0ALICE', 'Cleo Diaz': 'U0CAROL' } },
  });
  ops = await startOpsroom({ env, file, clock: w.clock, logger: createLogger('silent'), loops: false, workspaceState: join(dir, 'workspace.json'), pagerDuty: { timeoutMs: 2000, rateLimitRetryMs: 5 } });
});
afterEach(async () => {
  await ops.close();
  expect(w.fake.violations).toEqual([]);
  await w.fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const posts = () => ops.workspace!.state.data.messages.filter((m) => m.channel === INC && /^Handoff:/.test(m.text));
const dms = (user: string) => ops.workspace!.state.data.messages.filter((m) => m.channel === ops.workspace!.state.imWith(user).id && /^Handoff:/.test(m.text));

describe('handoffs on the PagerDuty schedule', () => {
  it('takes the shift and the people on call from PagerDuty', async () => {
    const r = await ops.workspace!.slash('U0DAVE', 'C0GENERAL', '', { command: '/handoff' });
    const text = visibleText(r.json);
    // Ana's period began 4 h before T0; Cleo's begins 4 h after.
    expect(text).toContain(`|${new Date(w.clock.now().getTime() - 4 * HOUR).toISOString()}> →`);
    expect(text).toContain('(PagerDuty schedule)');
    expect(text).toContain('Outgoing: <@U0ALICE> → incoming: <@U0CAROL> (pagerduty)');
  });

  it('posts once at each PagerDuty shift change, chaining the windows, and asks the new on-call to accept', async () => {
    const t0 = w.clock.now().getTime();
    expect(await ops.handoffs.tick()).toBeUndefined(); // Ana's shift began 4 h ago: too late to post for it
    w.clock.set(new Date(t0 + 4 * HOUR + 60_000));
    const first = await ops.handoffs.tick();
    expect(first).toMatchObject({ key: `shift:${new Date(t0 + 4 * HOUR).toISOString()}`, incoming: 'U0CAROL' });
    expect(first!.until).toEqual(new Date(t0 + 4 * HOUR));
    expect(await ops.handoffs.tick()).toBeUndefined();
    expect(dms('U0CAROL')).toHaveLength(1);

    w.clock.set(new Date(t0 + 16 * HOUR + 60_000));
    const second = await ops.handoffs.tick();
    expect(second).toMatchObject({ incoming: 'U0ALICE', since: new Date(t0 + 4 * HOUR), until: new Date(t0 + 16 * HOUR) });
    expect(visibleText(posts()[1])).toContain('Outgoing: <@U0CAROL> → incoming: <@U0ALICE> (pagerduty)');
    expect(posts()).toHaveLength(2);
  });
});
