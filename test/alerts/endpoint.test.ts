/** The alert endpoints through the real server: auth, bad payloads, repeats, group changes, resolving, restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { fixture, post, TOKEN, writeRunbooks } from './support/alerts.js';

const AM = '/alerts/alertmanager';

describe('alert endpoints', () => {
  let dir: string;
  let o: LocalOpsroom | undefined;
  const start = async (extra: { env?: Record<string, string>; file?: any } = {}) => {
    o = await startLocal({ dir, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_ALERTS_TOKEN: `old-token-000, ${TOKEN}`, ...extra.env }, file: extra.file });
    return o;
  };
  const thread = async (x: LocalOpsroom, id: number) => {
    await x.settle();
    const i = (await x.ops.store.get(id))!;
    return x.messages(i.channel, i.cardTs!).map(visibleText);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-alerts-'));
    writeRunbooks(dir);
  });
  afterEach(async () => {
    await o?.close({ keepDir: true });
    o = undefined;
    rmSync(join(dir, 'opsroom.db'), { force: true });
    rmSync(join(dir, 'workspace.json'), { force: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 404 when OPSROOM_ALERTS_TOKEN is not set', async () => {
    o = await startLocal({ dir, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks') } });
    expect((await post(o.ops.url, AM, fixture('alertmanager-v4'))).status).toBe(404);
    expect((await post(o.ops.url, '/alerts/grafana', fixture('grafana'))).status).toBe(404);
    expect(await o.ops.store.listOpen()).toEqual([]);
    await o.close({ keepDir: true });
    // A variable holding only separators holds no token: still 404, never "any token".
    o = await startLocal({ dir, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_ALERTS_TOKEN: ' , ' } });
    expect((await post(o.ops.url, AM, fixture('alertmanager-v4'), '')).status).toBe(404);
    expect(await o.ops.store.listOpen()).toEqual([]);
  });

  it('refuses a missing or wrong token with 401 and records nothing; every rotated token works', async () => {
    const x = await start();
    for (const token of [null, 'nope', `${TOKEN}x`, TOKEN.slice(0, -1), '']) {
      const r = await post(x.ops.url, AM, fixture('alertmanager-v4'), token);
      expect(r.status, String(token)).toBe(401);
    }
    const raw = await fetch(`${x.ops.url}${AM}`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }, body: '{}' });
    expect(raw.status).toBe(401);
    expect(await x.ops.store.listOpen()).toEqual([]);
    expect(await x.ops.database.db.selectFrom('alert_groups').selectAll().execute()).toEqual([]);
    expect((await post(x.ops.url, AM, fixture('alertmanager-v4'), 'old-token-000')).status).toBe(200);
    const metrics = await (await fetch(`${x.ops.url}/metrics`)).text();
    expect(metrics).toMatch(/opsroom_alert_webhooks_total\{source="alertmanager",outcome="unauthorized"\} 6/);
  });

  it('answers 400 with the reason for malformed payloads, 413 above 1 MiB, and stores nothing', async () => {
    const x = await start();
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /not JSON/],
      [{ ...fixture('alertmanager-v4'), version: '3' }, /version.*version 4/],
      [{ ...fixture('alertmanager-v4'), groupKey: undefined }, /groupKey/],
      [{ ...fixture('alertmanager-v4'), alerts: [] }, /alerts/],
      [{ ...fixture('alertmanager-v4'), alerts: [{ ...fixture('alertmanager-v4').alerts[0], status: 'pending' }] }, /alerts\.0\.status/],
      [{ ...fixture('alertmanager-v4'), commonLabels: { system: 7 } }, /commonLabels\.system/],
    ];
    for (const [body, reason] of cases) {
      const r = await post(x.ops.url, AM, body);
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(r.body.error).toMatch(reason);
    }
    const huge = fixture('alertmanager-v4');
    huge.commonAnnotations.description = 'x'.repeat(9_000);
    huge.alerts = Array.from({ length: 130 }, (_, n) => ({ ...huge.alerts[0], fingerprint: `f${n}`, annotations: { description: 'y'.repeat(9_000) } }));
    expect(JSON.stringify(huge).length).toBeGreaterThan(1024 * 1024);
    expect((await post(x.ops.url, AM, huge)).status).toBe(413);
    expect(await x.ops.store.listOpen()).toEqual([]);
    expect(await x.ops.database.db.selectFrom('alerts').selectAll().execute()).toEqual([]);
  });

  it('opens one incident for a firing group, however often and however concurrently it is delivered', async () => {
    const x = await start();
    const body = fixture('alertmanager-v4');
    const first = await Promise.all([1, 2, 3].map(() => post(x.ops.url, AM, body)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(first.map((r) => r.body.outcome).sort()).toEqual(['opened', 'repeat', 'repeat']);
    const open = await x.ops.store.listOpen();
    expect(open).toHaveLength(1);
    const i = open[0];
    expect(i).toMatchObject({ title: 'Dashboard target is down', severity: 'P1', system: 'minimarket', service: 'dashboard', openedBy: 'alertmanager' });
    expect(first.every((r) => r.body.incident === `INC-${i.id}`)).toBe(true);
    const lines = await thread(x, i.id);
    expect(lines.filter((l) => /Alertmanager opened this P1 incident/.test(l))).toHaveLength(1);
    const cardTs = (await x.ops.store.get(i.id))!.cardTs;
    const card = visibleText(x.messages(i.channel).find((m) => m.ts === cardTs)!);
    expect(card).toContain('*Commander*\nalertmanager');
    // Alertmanager's repeat_interval re-sends the same group: nothing new in the thread.
    expect((await post(x.ops.url, AM, body)).body.outcome).toBe('repeat');
    const after = await thread(x, i.id);
    expect(after.filter((l) => !/Runbooks that match/.test(l))).toEqual(lines.filter((l) => !/Runbooks that match/.test(l)));
    // Every delivery is on the timeline, with its alerts' labels.
    const alerts = (await x.ops.store.events(i.id)).filter((e) => e.kind === 'alert');
    expect(alerts).toHaveLength(4);
    expect(alerts[0].data).toMatchObject({ groupKey: body.groupKey, alerts: [{ fingerprint: 'a1b2c3d4e5f60718', labels: { instance: '10.0.0.7:8080' } }] });
  });

  it('suggests the runbook the alert names first, its parameter filled from the alert labels', async () => {
    const x = await start();
    const r = await post(x.ops.url, AM, fixture('alertmanager-v4'));
    const id = Number(r.body.incident.slice(4));
    await x.settle();
    await new Promise((done) => setTimeout(done, 200)); // the suggestion is queued after the first thread line
    await x.settle();
    const i = (await x.ops.store.get(id))!;
    const suggestion = x.messages(i.channel, i.cardTs!).find((m) => /Runbooks that match/.test(visibleText(m)))!;
    const ids = JSON.stringify(suggestion.blocks).match(/demo\/[a-z-]+/g)!;
    expect(ids[0]).toBe('demo/target-down');
    expect(ids).toContain('demo/dashboard'); // matched by title and service, but second
    const rb = x.ops.runs.catalog().find((b) => b.id === 'demo/target-down')!;
    expect(x.ops.runs.remediation.missingParams(rb, {}, i)).toEqual([]);
    const run = await x.ops.runs.remediation.start(i, 'demo/target-down', {}, 'U0ALICE');
    expect(run.params).toEqual({ instance: '10.0.0.7:8080' });
  });

  it('adds new alerts of the group to the thread and limits a flapping alert to one line per change window', async () => {
    const x = await start({ file: { alerts: { onResolved: 'monitoring', quietMinutes: 10, flapMinutes: 5 } } });
    const body = fixture('alertmanager-v4');
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    const second = { ...body.alerts[0], fingerprint: 'b2', labels: { ...body.alerts[0].labels, instance: '10.0.0.8:8080' } };
    expect((await post(x.ops.url, AM, { ...body, alerts: [body.alerts[0], second] })).body.outcome).toBe('joined');
    // The second alert flaps while the first keeps firing.
    for (const status of ['resolved', 'firing', 'resolved', 'firing']) {
      await post(x.ops.url, AM, { ...body, alerts: [body.alerts[0], { ...second, status }] });
    }
    const lines = await thread(x, id);
    expect(lines.filter((l) => /New alert in the group: .*10\.0\.0\.8:8080/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /10\.0\.0\.8:8080 (resolved|firing again)/.test(l))).toHaveLength(0);
    expect(await x.ops.store.listOpen()).toHaveLength(1);
    const stored = await x.ops.database.db.selectFrom('alerts').selectAll().where('fingerprint', '=', 'b2').executeTakeFirstOrThrow();
    expect(Number(stored.unposted)).toBe(4);
  });

  it('resolves: a thread line, the incident to monitoring; firing again after it was resolved opens a new incident', async () => {
    const x = await start();
    const body = fixture('alertmanager-v4');
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    const resolved = { ...body, status: 'resolved', alerts: [{ ...body.alerts[0], status: 'resolved', endsAt: '2026-12-01T19:10:00Z' }] };
    expect((await post(x.ops.url, AM, resolved)).body.outcome).toBe('resolved');
    expect((await post(x.ops.url, AM, resolved)).body.outcome).toBe('repeat');
    const i = (await x.ops.store.get(id))!;
    expect(i.status).toBe('monitoring');
    const lines = await thread(x, id);
    expect(lines.filter((l) => /Alertmanager: alert resolved at \d\d:\d\d:\d\d UTC\. Status: \*monitoring\*/.test(l))).toHaveLength(1);
    await x.ops.incidents.resolve(id, 'U0ALICE', 'fixed the dashboard');
    const again = await post(x.ops.url, AM, body);
    expect(again.body.outcome).toBe('opened');
    expect(again.body.incident).not.toBe(`INC-${id}`);
    const metrics = await (await fetch(`${x.ops.url}/metrics`)).text();
    expect(metrics).toMatch(/opsroom_alerts_received_total\{source="alertmanager",status="resolved"\} 2/);
    expect(metrics).toMatch(/opsroom_alert_webhooks_total\{source="alertmanager",outcome="opened"\} 2/);
  });

  it('never closes an incident a person reopened after the alert resolved it', async () => {
    const x = await start({ file: { alerts: { onResolved: 'resolve', quietMinutes: 0, flapMinutes: 5 } } });
    const body = fixture('alertmanager-v4');
    const resolved = { ...body, status: 'resolved', alerts: [{ ...body.alerts[0], status: 'resolved' }] };
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    await post(x.ops.url, AM, resolved);
    expect((await x.ops.store.get(id))!.status).toBe('resolved');
    await x.ops.incidents.reopen(id, 'U0BOB');
    expect((await post(x.ops.url, AM, body)).body).toMatchObject({ outcome: 'joined', incident: `INC-${id}` });
    await post(x.ops.url, AM, resolved);
    expect((await x.ops.store.get(id))!.status).toBe('investigating');
    expect((await thread(x, id)).some((l) => /<@U0BOB> reopened this incident, so it stays investigating/.test(l))).toBe(true);
  });

  it('a person resolved it while the alert keeps firing: repeats open nothing; a new alert in the group does', async () => {
    const x = await start();
    const body = fixture('alertmanager-v4');
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    await x.ops.incidents.resolve(id, 'U0BOB', 'fixed by hand, the alert lags');
    for (let n = 0; n < 3; n++) expect((await post(x.ops.url, AM, body)).body.outcome).toBe('recorded');
    expect(await x.ops.store.listOpen()).toEqual([]);
    const more = { ...body, alerts: [...body.alerts, { ...body.alerts[0], fingerprint: 'another-one', labels: { ...body.alerts[0].labels, instance: 'other:9100' } }] };
    const r = await post(x.ops.url, AM, more);
    expect(r.body.outcome).toBe('opened');
    expect(r.body.incident).not.toBe(`INC-${id}`);
  });

  it('keeps the group across a restart between firing and resolving', async () => {
    let x = await start();
    const body = fixture('alertmanager-v4');
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    await x.settle();
    await x.close({ keepDir: true });
    x = await start();
    expect((await post(x.ops.url, AM, body)).body.outcome).toBe('repeat');
    const r = await post(x.ops.url, AM, { ...body, status: 'resolved', alerts: [{ ...body.alerts[0], status: 'resolved' }] });
    expect(r.body).toMatchObject({ outcome: 'resolved', incident: `INC-${id}` });
    expect(await x.ops.store.listOpen()).toHaveLength(1);
    expect((await x.ops.store.get(id))!.status).toBe('monitoring');
    expect((await thread(x, id)).some((l) => /alert resolved at/.test(l))).toBe(true);
  });

  it('takes Grafana\'s webhook payload, its runbook found from runbook_url', async () => {
    const x = await start();
    const r = await post(x.ops.url, '/alerts/grafana', fixture('grafana'));
    expect(r.body.outcome).toBe('opened');
    const i = (await x.ops.store.get(Number(r.body.incident.slice(4))))!;
    expect(i).toMatchObject({ title: 'Checkout memory is high', severity: 'P3', service: 'checkout', system: null, openedBy: 'grafana' });
    expect(await x.ops.alerts.forIncident(i.id)).toMatchObject({ runbook: 'demo/target-down' });
    expect((await post(x.ops.url, '/alerts/grafana', { ...fixture('grafana'), groupKey: '' })).status).toBe(400);
  });
});
