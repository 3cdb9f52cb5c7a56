import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodedError } from '#core/errors.js';
import { createPager, DisabledPager, InMemoryPagerLinks, PagerDutyPager, pagerDutySettingsFromEnv } from '#pagerduty/index.js';
import { effect, incident, T0, world, type World } from './support/world.js';

const at = (h: number) => new Date(T0.getTime() + h * 3_600_000);
let w: World | undefined;
afterEach(async () => {
  if (!w) return;
  expect(w.fake.violations).toEqual([]);
  await w.fake.close();
  w = undefined;
});

describe('onCall', () => {
  it('lists who is on call now and on the next shift, per policy and level, across pages', async () => {
    w = await world();
    w.fake.maxLimit = 1; // every list takes several pages
    const { now, next } = await w.pager.onCall();
    expect(now.map((e) => [e.policy, e.level, e.user])).toEqual([
      ['Databases', 1, 'Dan Ito'],
      ['SRE', 1, 'Ana Ruiz'],
      ['SRE', 2, 'Ben Ode'],
      ['SRE', 3, 'Cleo Diaz'],
    ]);
    expect(now[1]).toMatchObject({ email: 'ana@example.com', start: at(-4), end: at(4) });
    expect(now[2].start).toBeUndefined();
    expect(next.map((e) => [e.policy, e.level, e.user, e.start?.toISOString()])).toEqual([
      ['Databases', 1, 'Ben Ode', at(23).toISOString()],
      ['SRE', 1, 'Cleo Diaz', at(4).toISOString()],
    ]);
    expect(w.fake.requestsTo('GET', /^\/oncalls$/).length).toBeGreaterThan(4);
  });

  it('narrows to one mapped service and moves with the clock', async () => {
    w = await world();
    w.clock.set(at(5));
    const { now, next } = await w.pager.onCall('payments');
    expect(now.map((e) => e.user)).toEqual(['Dan Ito']);
    expect(next.map((e) => e.user)).toEqual(['Ben Ode']);
    const sre = await w.pager.onCall(w.services.checkout.id);
    expect(sre.now.filter((e) => e.level === 1).map((e) => e.user)).toEqual(['Cleo Diaz']);
    expect(sre.next.map((e) => [e.user, e.start?.toISOString()])).toEqual([['Ana Ruiz', at(16).toISOString()]]);
  });

  it('an unknown service is a clear not_found; PagerDuty down is unavailable', async () => {
    w = await world();
    await expect(w.pager.onCall('billing')).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/No PagerDuty service is mapped to "billing" \(mapped: payments\)/) });
    w.fake.fail({ status: 500 });
    await expect(w.pager.onCall()).rejects.toBeInstanceOf(CodedError);
  });
});

describe('disabled integration', () => {
  it('no token gives the disabled pager, whose deliveries fail without retry', async () => {
    expect(pagerDutySettingsFromEnv({ PAGERDUTY_FROM: 'a@b.co' })).toBeUndefined();
    const pager = createPager(undefined, new InMemoryPagerLinks());
    expect(pager).toBeInstanceOf(DisabledPager);
    expect(pager.enabled).toBe(false);
    await expect(pager.deliver(effect({ type: 'pager.trigger' }), incident())).rejects.toMatchObject({ retryable: false, message: 'PagerDuty integration is off' });
    await expect(pager.onCall()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('settings come from PAGERDUTY_* and opsroom.yml; bad values are refused', () => {
    const s = pagerDutySettingsFromEnv(
      { PAGERDUTY_TOKEN: 'tok', PAGERDUTY_FROM: 'bot@example.com', PAGERDUTY_SERVICE_ID: 'PS1', PAGERDUTY_API_URL: 'http://127.0.0.1:9999' },
      { severityMap: { P1: { urgency: 'high' } } },
    );
    expect(s).toMatchObject({ token: 'tok', apiUrl: 'http://127.0.0.1:9999', severityMap: { P1: { urgency: 'high' } } });
    expect(createPager(s, new InMemoryPagerLinks()).enabled).toBe(true);
    expect(() => pagerDutySettingsFromEnv({ PAGERDUTY_TOKEN: 'tok', PAGERDUTY_FROM: 'nope', PAGERDUTY_SERVICE_ID: 'PS1' })).toThrow(/email/i);
    expect(() => pagerDutySettingsFromEnv({ PAGERDUTY_TOKEN: 'tok', PAGERDUTY_FROM: 'a@b.co', PAGERDUTY_SERVICE_ID: 'PS1', PAGERDUTY_API_URL: 'ftp://x' })).toThrow();
  });
});

function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'pd-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    console.warn('SKIPPED https PagerDuty test: openssl is not installed (apt-get install openssl)');
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('base URLs', () => {
  it('works against a plain http base URL', async () => {
    w = await world();
    expect(w.settings.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await w.pager.deliver(effect({ type: 'pager.trigger' }), incident());
    expect(w.fake.incidents.size).toBe(1);
  });

  const tls = selfSignedCert();
  it.skipIf(!tls)('works against https with a self-signed certificate given as `ca`, and refuses it otherwise', async () => {
    w = await world({ tls: tls! });
    expect(w.settings.apiUrl).toMatch(/^https:\/\//);
    const untrusted = await w.pager.deliver(effect({ type: 'pager.trigger' }), incident()).catch((e) => e);
    expect(untrusted).toMatchObject({ retryable: true });
    expect(untrusted.message).toMatch(/self-signed|SELF_SIGNED|certificate/i);
    const trusted = new PagerDutyPager({ ...w.settings, ca: tls!.cert }, new InMemoryPagerLinks(), w.clock);
    await trusted.deliver(effect({ type: 'pager.trigger' }), incident());
    expect(w.fake.incidents.size).toBe(1);
  });
});

describe('mapping PagerDuty back to opsroom', () => {
  it('finds the opsroom service and severity of a PagerDuty incident', async () => {
    w = await world();
    const s = w.pager.settings;
    const { mappedService, severityFromPagerDuty } = await import('#pagerduty/settings.js');
    expect(mappedService(s, w.services.payments.id)).toEqual({ name: 'payments' });
    expect(mappedService(s, w.services.checkout.id)).toEqual({ name: null });
    expect(mappedService(s, 'PUNKNOWN')).toBeUndefined();
    expect(severityFromPagerDuty(s, { priority: { id: w.priorities.p2 }, urgency: 'high' })).toBe('P2');
    expect(severityFromPagerDuty(s, { priority: null, urgency: 'low' })).toBe('P3');
    expect(severityFromPagerDuty(s, { priority: null, urgency: 'high' })).toBe('P1');
    expect(severityFromPagerDuty(s, { urgency: 'none' })).toBeUndefined();
  });
});
