/**
 * `opsroom report` against incidents and runs created through the real store with known times;
 * every expected figure is worked out below from those times.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyIncidentStore, openDatabase } from '#store/index.js';
import { KyselyRunStore } from '#store/runs.js';
import { step } from '../core/runs/support/scripted-runner.js';
import { newIncident } from '../store/fixtures.js';

const exec = promisify(execFile);
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date('2026-10-01T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
let dir: string;
let url: string;

async function report(args: string[]) {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'report', ...args], { env: { ...process.env, DATABASE_URL: url, OPSROOM_CONFIG: join(dir, 'none.yml') } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Opened at `open`; acknowledged, mitigated, resolved that many ms later (null: never). */
interface Known { severity: string; system: string | null; open: number; ack: number | null; mitigated: number | null; resolved: number | null }
const KNOWN: Known[] = [
  { severity: 'P1', system: 'blatam', open: 0, ack: 2 * MIN, mitigated: 10 * MIN, resolved: 30 * MIN },
  { severity: 'P1', system: 'blatam', open: HOUR, ack: 4 * MIN, mitigated: 20 * MIN, resolved: 60 * MIN },
  { severity: 'P1', system: 'minimarket', open: 2 * HOUR, ack: 6 * MIN, mitigated: null, resolved: 90 * MIN },
  { severity: 'P2', system: 'minimarket', open: 3 * HOUR, ack: 10 * MIN, mitigated: null, resolved: null },
  { severity: 'P2', system: null, open: 4 * HOUR, ack: null, mitigated: null, resolved: null },
  // Before the window: counted nowhere.
  { severity: 'P1', system: 'blatam', open: -2 * 24 * HOUR, ack: 1 * MIN, mitigated: 1 * MIN, resolved: 2 * MIN },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-report-'));
  url = `sqlite:${join(dir, 'opsroom.db')}`;
  const database = await openDatabase(url);
  const store = new KyselyIncidentStore(database);
  const runs = new KyselyRunStore(database);
  for (const k of KNOWN) {
    const createdAt = at(k.open);
    let i = await store.create(newIncident({ severity: k.severity, system: k.system, createdAt }), [], []);
    const later = (ms: number | null) => (ms === null ? null : new Date(createdAt.getTime() + ms));
    if (k.ack !== null) i = await store.change(i.id, i.version, { acknowledgedAt: later(k.ack), acknowledgedBy: 'U1' }, [], []);
    if (k.mitigated !== null) i = await store.change(i.id, i.version, { mitigatedAt: later(k.mitigated) }, [], []);
    if (k.resolved !== null) i = await store.change(i.id, i.version, { status: 'resolved', resolvedAt: later(k.resolved) }, [], []);
  }
  const run = async (runbookId: string, when: number, state: 'succeeded' | 'failed' | null) => {
    const r = await runs.createRun({ runbookId, incidentId: 1, params: {}, startedBy: 'U1', steps: [step('ping')] }, at(when));
    if (state) await runs.setRunState(r.id, state);
  };
  await run('redis-down', 5 * MIN, 'succeeded');
  await run('redis-down', HOUR + 5 * MIN, 'succeeded');
  await run('redis-down', 2 * HOUR + 5 * MIN, 'failed');
  await run('minimarket/dashboard-down', 3 * HOUR + 5 * MIN, null);
  await run('minimarket/dashboard-down', -2 * 24 * HOUR, 'failed'); // before the window
  await database.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const window = ['--since', at(-HOUR).toISOString(), '--until', at(24 * HOUR).toISOString()];

describe('opsroom report', () => {
  it('counts, medians and 90th percentiles match the known incidents', async () => {
    const out = await report([...window, '--format', 'json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout);
    // In the window: the first five. Open: the two never resolved.
    expect(r.total).toMatchObject({ incidents: 5, open: 2 });
    // MTTA over 2, 4, 6, 10 min: median (4 + 6) / 2 = 5; p90 at rank 3 · 0.9 = 2.7: 6 + 0.7 · (10 - 6) = 8.8.
    expect(r.total.mtta).toEqual({ n: 4, p50Ms: 5 * MIN, p90Ms: 8.8 * MIN });
    // Time to mitigate over 10, 20 min: median 15; p90 at rank 0.9: 10 + 0.9 · 10 = 19.
    expect(r.total.ttm).toEqual({ n: 2, p50Ms: 15 * MIN, p90Ms: 19 * MIN });
    // MTTR over 30, 60, 90 min: median 60; p90 at rank 1.8: 60 + 0.8 · 30 = 84.
    expect(r.total.mttr).toEqual({ n: 3, p50Ms: 60 * MIN, p90Ms: 84 * MIN });

    const sev = Object.fromEntries(r.bySeverity.map((g: { key: string }) => [g.key, g]));
    expect(r.bySeverity.map((g: { key: string }) => g.key)).toEqual(['P1', 'P2']);
    // P1: MTTA 2, 4, 6 -> median 4; p90 at rank 1.8: 4 + 0.8 · 2 = 5.6.
    expect(sev.P1).toMatchObject({ incidents: 3, open: 0, mtta: { n: 3, p50Ms: 4 * MIN } });
    expect(sev.P1.mtta.p90Ms).toBeCloseTo(5.6 * MIN, 6);
    expect(sev.P2).toMatchObject({ incidents: 2, open: 2, mtta: { n: 1, p50Ms: 10 * MIN, p90Ms: 10 * MIN }, mttr: { n: 0, p50Ms: null } });

    const sys = Object.fromEntries(r.bySystem.map((g: { key: string }) => [g.key, g]));
    expect(Object.keys(sys).sort()).toEqual(['blatam', 'minimarket', 'none']);
    // blatam: MTTA 2, 4 -> median 3, p90 2 + 0.9 · 2 = 3.8; MTTR 30, 60 -> median 45, p90 57.
    expect(sys.blatam.incidents).toBe(2);
    expect(sys.blatam.mtta.p50Ms).toBe(3 * MIN);
    expect(sys.blatam.mtta.p90Ms).toBeCloseTo(3.8 * MIN, 6);
    expect(sys.blatam.mttr).toEqual({ n: 2, p50Ms: 45 * MIN, p90Ms: 57 * MIN });
    expect(sys.minimarket).toMatchObject({ incidents: 2, open: 1, ttm: { n: 0 } });
    expect(sys.none).toMatchObject({ incidents: 1, mtta: { n: 0, p50Ms: null } });

    // Runs in the window: redis-down 3 (2 succeeded, 1 failed: 2/3), dashboard-down 1 unfinished.
    expect(r.runbooks).toEqual([
      { runbookId: 'redis-down', runs: 3, succeeded: 2, failed: 1, unfinished: 0, successRate: 2 / 3 },
      { runbookId: 'minimarket/dashboard-down', runs: 1, succeeded: 0, failed: 0, unfinished: 1, successRate: null },
    ]);
  }, 60_000);

  it('as Markdown: one table per grouping, runbooks with their success rate', async () => {
    const out = await report(window);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/5 incidents opened, 2 still open/);
    expect(out.stdout).toMatch(/\| all \| 5 \| 2 \| 5m \/ 8m 48s \(4\) \| 15m \/ 19m \(2\) \| 1h \/ 1h 24m \(3\) \|/);
    expect(out.stdout).toMatch(/\| minimarket\/dashboard\\-down \| 1 \| 0 \| 0 \| 1 \| — \|/);
    expect(out.stdout).toMatch(/\| redis\\-down \| 3 \| 2 \| 1 \| 0 \| 67% \|/);
  }, 60_000);

  it('bad input gets a clear error and exit code 2', async () => {
    expect(await report(['--since', 'last tuesday'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since "last tuesday" is not a date/) });
    expect(await report(['--format', 'csv'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format must be md or json/) });
    expect(await report(['--since', '1d', '--until', '2d'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--until must be after --since/) });
  }, 60_000);
});
