/** Two opsroom replicas on one PostgreSQL given the same Alertmanager deliveries at once open one incident. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, usePostgres, type TestPostgres } from '../support/peers/postgres.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { fixture, post, TOKEN, writeRunbooks } from './support/alerts.js';
import { payloadText } from '#slack/lines/index.js';

const AM = '/alerts/alertmanager';

describe.skipIf(!postgresBinaries())('alert intake across replicas (PostgreSQL)', () => {
  let pg: TestPostgres;
  let dirs: string[];
  let replicas: LocalOpsroom[];

  beforeAll(async () => {
    pg = await usePostgres();
    dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'opsroom-alert-replica-')));
    dirs.forEach(writeRunbooks);
    replicas = [];
    for (const dir of dirs)
      replicas.push(await startLocal({ dir, databaseUrl: pg.url, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_ALERTS_TOKEN: TOKEN } }));
  }, 60_000);
  afterAll(async () => {
    for (const r of replicas ?? []) await r.close({ keepDir: true });
    await pg?.stop();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  it('opens one incident for the same group delivered to both at once, and both see later changes', async () => {
    const body = fixture('alertmanager-v4');
    const urls = replicas.map((r) => r.ops.url);
    const first = await Promise.all([...urls, ...urls, ...urls].map((u) => post(u, AM, body)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(first.filter((r) => r.body.outcome === 'opened')).toHaveLength(1);
    const open = await replicas[0].ops.store.listOpen();
    expect(open).toHaveLength(1);
    expect(new Set(first.map((r) => r.body.incident))).toEqual(new Set([`INC-${open[0].id}`]));

    // A new alert reaches both replicas at once: joined once, one line.
    const second = { ...body.alerts[0], fingerprint: 'c3', labels: { ...body.alerts[0].labels, instance: '10.0.0.9:8080' } };
    const joined = await Promise.all(urls.map((u) => post(u, AM, { ...body, alerts: [body.alerts[0], second] })));
    expect(joined.map((r) => r.body.outcome).sort()).toEqual(['joined', 'repeat']);
    const resolved = { ...body, status: 'resolved', alerts: [body.alerts[0], second].map((a) => ({ ...a, status: 'resolved' })) };
    const done = await Promise.all(urls.map((u) => post(u, AM, resolved)));
    expect(done.map((r) => r.body.outcome).sort()).toEqual(['repeat', 'resolved']);
    expect((await replicas[1].ops.store.get(open[0].id))!.status).toBe('monitoring');
    const lines = (await replicas[1].ops.store.events(open[0].id)).filter((e) => e.kind === 'alert');
    expect(lines).toHaveLength(10);
    const effects = await replicas[0].ops.database.db.selectFrom('effects').select('payload').where('incident_id', '=', open[0].id).execute();
    const threadLines = effects.map((e) => JSON.parse(String(e.payload))).filter((p) => p.type === 'thread').map((p) => payloadText(p));
    expect(threadLines.filter((t) => /New alert in the group/.test(t))).toHaveLength(1);
    expect(threadLines.filter((t) => /alert resolved at/.test(t))).toHaveLength(1);
  }, 60_000);
});
