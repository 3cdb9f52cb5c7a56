/**
 * Handoff summary over a big history: 100,000 incidents and 1,000,000 timeline events (smoke:
 * 1,000 / 10,000), on SQLite and on PostgreSQL. Times HandoffService.summarize for the last
 * 12-hour shift (median of several runs, after one warm-up), exactly as `/handoff` builds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { HandoffService } from '#core/handoffs/service.js';
import type { Clock } from '#core/ports.js';
import { KyselyIncidentStore, openDatabase, type Database } from '#store/index.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { createDatabase, postgresBinaries, startPostgres } from '../../test/support/peers/postgres.js';
import { progress, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, median, medianSpread, round } from '../lib/stats.js';
import { loadIncidents } from './data.js';

const log = (m: string) => progress('handoff', m);
const EVENTS_PER_INCIDENT = 10;
const SHIFT_MS = 12 * 3_600_000;

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  const incidents = smoke ? 1_000 : 100_000;
  const runs = smoke ? 2 : 7;
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-handoff-'));
  const results: BenchResult[] = [];
  try {
    const sqlite = await openDatabase(`sqlite:${join(dir, 'opsroom.db')}`);
    try {
      results.push(await measure('sqlite', sqlite, incidents, runs));
    } finally {
      await sqlite.close();
    }
    if (postgresBinaries()) {
      const server = await startPostgres();
      try {
        const db = await createDatabase(server.url);
        const pg = await openDatabase(db.url);
        try {
          results.push(await measure('postgres', pg, incidents, runs));
        } finally {
          await pg.close();
        }
      } finally {
        await server.stop();
      }
    } else log('PostgreSQL missing: handoff.postgres_ms not measured');
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(name: 'sqlite' | 'postgres', database: Database, incidents: number, runs: number): Promise<BenchResult> {
  const now = Math.floor(Date.now() / 1000) * 1000;
  const t0 = performance.now();
  await loadIncidents(database, incidents, EVENTS_PER_INCIDENT, now);
  const loadS = (performance.now() - t0) / 1000;
  log(`${name}: loaded ${incidents} incidents, ${incidents * EVENTS_PER_INCIDENT} events in ${fmt(loadS)} s`);
  const clock: Clock = { now: () => new Date(now) };
  const file = loadFileConfig(join(tmpdir(), 'opsroom-bench-no-config.yml'));
  const service = new HandoffService({
    incidents: new KyselyIncidentStore(database, clock), handoffs: new KyselyHandoffStore(database), clock,
    severities: severitiesOf(file), config: file.handoff, channel: 'C0INCIDENTS',
  });
  const window = { since: new Date(now - SHIFT_MS), until: new Date(now), source: 'default' as const };
  const times: number[] = [];
  let summary: Awaited<ReturnType<HandoffService['summarize']>> | undefined;
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    summary = await service.summarize(window);
    if (i > 0) times.push(performance.now() - t);
  }
  const shape = summarySize(summary);
  log(`${name}: summary ${medianSpread(times)}; ${shape}`);
  return {
    key: `handoff.${name}_ms`, value: round(median(times), 1),
    detail: `summary of a 12-hour shift over ${incidents} incidents / ${incidents * EVENTS_PER_INCIDENT} events: ${medianSpread(times)}; ${shape}; bulk load ${fmt(loadS)} s`,
    data: { times, incidents, events: incidents * EVENTS_PER_INCIDENT, loadSeconds: loadS },
  };
}

/** How much the summary holds (so a figure is read with the work it did). */
function summarySize(s: unknown): string {
  const o = s as Record<string, unknown>;
  const parts = Object.entries(o ?? {}).filter(([, v]) => Array.isArray(v)).map(([k, v]) => `${k} ${(v as unknown[]).length}`);
  return parts.length ? parts.join(', ') : 'empty summary';
}
