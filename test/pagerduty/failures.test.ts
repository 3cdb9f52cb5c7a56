import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '#core/effects.js';
import { InMemoryPagerLinks } from '#pagerduty/links.js';
import { PagerDutyPager } from '#pagerduty/pager.js';
import { effect, incident, world, type World } from './support/world.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  expect(w.fake.violations).toEqual([]);
  await w.fake.close();
});

const trigger = (pager = w.pager) => pager.deliver(effect({ type: 'pager.trigger' }), incident()).then(
  () => undefined,
  (e: unknown) => e as DeliveryError,
);

describe('how PagerDuty failures reach the dispatcher', () => {
  it('5xx is retryable, also when the body is not JSON', async () => {
    w.fake.fail({ status: 503 });
    const e1 = await trigger();
    expect(e1).toBeInstanceOf(DeliveryError);
    expect(e1).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect(e1!.message).toMatch(/503/);
    w.fake.fail({ status: 502, raw: '<html>Bad gateway</html>' });
    expect(await trigger()).toMatchObject({ retryable: true });
    expect(w.fake.incidents.size).toBe(0);
    expect(await trigger()).toBeUndefined();
    expect(w.fake.incidents.size).toBe(1);
  });

  it('429 with ratelimit-reset waits that long; with retry-after that long; without headers the default', async () => {
    // pdjs retries a 429 three more times by itself; only a 429 that persists reaches us.
    w.fake.fail({ status: 429, headers: { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '7' } }, { times: 4 });
    expect(await trigger()).toMatchObject({ retryable: true, retryAfterMs: 7_000 });
    w.fake.fail({ status: 429, headers: { 'retry-after': '3' } }, { times: 4 });
    expect(await trigger()).toMatchObject({ retryable: true, retryAfterMs: 3_000 });
    w.fake.fail({ status: 429 }, { times: 4 });
    expect(await trigger()).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(12);
    expect(w.fake.incidents.size).toBe(0);
  });

  it('a single 429 is absorbed by the client retry and the page goes out once', async () => {
    w.fake.fail({ status: 429, headers: { 'ratelimit-reset': '1' } });
    expect(await trigger()).toBeUndefined();
    expect(w.fake.incidents.size).toBe(1);
  });

  it('a 4xx that retrying cannot fix is not retryable and carries PagerDuty\'s message', async () => {
    const pager = new PagerDutyPager({ ...w.settings, from: 'nobody@example.com' }, new InMemoryPagerLinks(), w.clock);
    const err = await trigger(pager);
    expect(err).toMatchObject({ retryable: false, status: 400 });
    expect(err!.message).toContain('Requester User Not Found');
    const badService = new PagerDutyPager({ ...w.settings, serviceId: 'PNOPE00' }, new InMemoryPagerLinks(), w.clock);
    expect((await trigger(badService))!.message).toContain('Service Not Found');
    const badToken = new PagerDutyPager({ ...w.settings, token: 'wrong' }, new InMemoryPagerLinks(), w.clock);
    expect(await trigger(badToken)).toMatchObject({ retryable: false, status: 401 });
    expect(w.fake.incidents.size).toBe(0);
  });

  it('a request that hangs ends at the time limit as a retryable error', async () => {
    const pager = new PagerDutyPager({ ...w.settings, timeoutMs: 300 }, new InMemoryPagerLinks(), w.clock);
    w.fake.fail('hang');
    const err = await trigger(pager);
    expect(err).toMatchObject({ retryable: true });
    expect(err!.message).toMatch(/did not answer POST \/incidents within 0.3 s/);
  });

  it('an unreachable PagerDuty is retryable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const pager = new PagerDutyPager({ ...w.settings, apiUrl: `http://127.0.0.1:${port}` }, new InMemoryPagerLinks(), w.clock);
    const err = await trigger(pager);
    expect(err).toMatchObject({ retryable: true });
    expect(err!.message).toMatch(/unreachable.*ECONNREFUSED/);
  });

  it('an unknown PagerDuty incident (404) is not retryable', async () => {
    await w.links.set(7, { id: 'QMISSING', url: 'x' });
    const err = await w.pager.deliver(effect({ type: 'pager.resolve', actor: 'U1', summary: null }), incident()).catch((e) => e);
    expect(err).toMatchObject({ retryable: false, status: 404 });
    expect(err.message).toContain('Not Found');
  });
});

describe('the fake checks requests against the spec', () => {
  it('answers 400 and records a violation for a missing From, a wrong Accept, an unknown field type or path', async () => {
    const headers = { authorization: 'Token token=tok-123', accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json' };
    const body = JSON.stringify({ incident: { type: 'incident', title: 't', service: { id: w.services.checkout.id, type: 'service_reference' } } });
    const noFrom = await fetch(`${w.fake.url}/incidents`, { method: 'POST', headers, body });
    const badAccept = await fetch(`${w.fake.url}/incidents?incident_key=k`, { headers: { ...headers, accept: 'application/json' } });
    const badBody = await fetch(`${w.fake.url}/incidents/${'X'}`, { method: 'PUT', headers: { ...headers, from: 'bot@example.com' }, body: JSON.stringify({ incident: { type: 'incident', status: 'closed' } }) });
    const noPath = await fetch(`${w.fake.url}/incidentz`, { headers });
    const badQuery = await fetch(`${w.fake.url}/oncalls?limit=many`, { headers });
    expect([noFrom.status, badAccept.status, badBody.status, noPath.status, badQuery.status]).toEqual([400, 400, 400, 400, 400]);
    const problems = w.fake.violations.map((v) => v.problems.join('; '));
    expect(problems[0]).toMatch(/missing required header From/);
    expect(problems[1]).toMatch(/header Accept must be application\/vnd.pagerduty\+json;version=2/);
    expect(problems[2]).toMatch(/body.incident.status: "closed" not in resolved\|acknowledged\|triggered/);
    expect(problems[3]).toMatch(/no path \/incidentz/);
    expect(problems[4]).toMatch(/query limit=many: not an integer/);
    w.fake.violations.length = 0;
  });
});
