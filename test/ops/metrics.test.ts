import { afterEach, describe, expect, it } from 'vitest';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';

let t: LocalOpsroom | undefined;
afterEach(async () => { await t?.close().catch(() => {}); t = undefined; });

const GEN = 'C0GENERAL';

async function scrape(url: string) {
  const r = await fetch(`${url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/text\/plain/);
  return r.text();
}

/** The value of one sample line, e.g. value(text, 'opsroom_incidents{severity="P1",state="open"}'). */
function value(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('GET /metrics', () => {
  it('exposes the named metrics, and they move when an incident is opened and its severity changed', async () => {
    t = await startLocal();
    const before = await scrape(t.ops.url);
    for (const name of [
      'opsroom_incidents', 'opsroom_step_runs', 'opsroom_step_duration_seconds', 'opsroom_slack_api_calls_total',
      'opsroom_slack_api_errors_total', 'opsroom_pagerduty_api_calls_total', 'opsroom_pagerduty_api_errors_total',
      'opsroom_outbox_depth', 'opsroom_slack_ack_seconds',
    ]) expect(before).toContain(`# TYPE ${name} `);
    expect(value(before, 'opsroom_incidents{state="investigating",severity="P1"}')).toBeUndefined();

    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    const queued = await scrape(t.ops.url);
    expect(value(queued, 'opsroom_incidents{state="investigating",severity="P1"}')).toBe(1);
    expect(value(queued, 'opsroom_outbox_depth')).toBeGreaterThan(0);
    expect(value(queued, 'opsroom_slack_ack_seconds_count{status="200"}')).toBe(1);

    await t.settle();
    const after = await scrape(t.ops.url);
    expect(value(after, 'opsroom_outbox_depth')).toBe(0);
    expect(value(after, 'opsroom_slack_api_calls_total{method="chat.postMessage"}')).toBeGreaterThanOrEqual(2);

    const card = t.messages('C0INCIDENTS')[0];
    await t.ws.click('U0BOB', { channel: 'C0INCIDENTS', ts: card.ts }, 'incident.change_severity', { value: '1:P2' });
    await t.settle();
    const changed = await scrape(t.ops.url);
    expect(value(changed, 'opsroom_incidents{state="investigating",severity="P1"}')).toBeUndefined();
    expect(value(changed, 'opsroom_incidents{state="investigating",severity="P2"}')).toBe(1);
    expect(value(changed, 'opsroom_slack_ack_seconds_count{status="200"}')).toBe(2);
  });

  it('counts failed Slack calls by method and error', async () => {
    t = await startLocal();
    t.ws.failNext('chat.postMessage', { status: 200, error: 'not_in_channel' }, 1);
    await t.ws.slash('U0ALICE', GEN, 'open P2 Search is slow');
    await t.settle();
    const text = await scrape(t.ops.url);
    expect(value(text, 'opsroom_slack_api_errors_total{method="chat.postMessage",error="not_in_channel"}')).toBe(1);
  });
});

describe('GET /readyz', () => {
  it('is 200 with every check ok, and 503 naming the database once it is closed', async () => {
    t = await startLocal();
    const ok = await fetch(`${t.ops.url}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, failing: [], checks: { database: 'ok', migrations: 'ok', slack: 'ok' } });

    await t.ops.database.close();
    const down = await fetch(`${t.ops.url}/readyz`);
    expect(down.status).toBe(503);
    const body = await down.json();
    expect(body.ready).toBe(false);
    expect(body.checks.database).not.toBe('ok');
    expect((await fetch(`${t.ops.url}/healthz`)).status).toBe(200);
  });

  it('is 503 when Slack refuses the token', async () => {
    t = await startLocal();
    t.ws.failNext('auth.test', { status: 200, error: 'invalid_auth' }, 5);
    const r = await fetch(`${t.ops.url}/readyz`);
    expect(r.status).toBe(503);
    expect((await r.json()).checks.slack).toBe('invalid_auth');
  });

  it('is 503 while shutting down, and new Slack requests get 503', async () => {
    t = await startLocal();
    t.ops.gate.close();
    const r = await fetch(`${t.ops.url}/readyz`);
    expect(r.status).toBe(503);
    expect((await r.json()).checks.shutdown).toBe('shutting down');
    const slash = await t.ws.slash('U0ALICE', GEN, 'open P1 Refused');
    expect(slash.status).toBe(503);
    expect(await t.ops.store.listOpen()).toEqual([]);
  });
});
