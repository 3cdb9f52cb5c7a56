/**
 * The handoff lists the runbooks that broke during the shift and are still broken (freshness kept
 * by verify in runbook_health), with since when and why; not those broken before the shift, fixed
 * again, or broken after it. On SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffConfigSchema } from '#core/handoffs/config.js';
import { toMarkdown } from '#core/handoffs/render.js';
import { HandoffService } from '#core/handoffs/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { brokenBetween, recordVerdicts } from '#core/verify/freshness.js';
import type { Database } from '#store/db.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyHealthStore } from '#store/runbook-health.js';
import { ManualClock } from '../../support/clock.js';
import { ENGINES } from '../../store/engines.js';
import { BOUNDARY, SHIFT_START, Z } from './fixtures.js';

describe.each(ENGINES)('runbooks that broke during the shift, on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
  });
  afterEach(async () => {
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('names each with since when and why, in the summary and its markdown', async () => {
    const health = new KyselyHealthStore(database);
    const fits = (id: string) => ({ runbookId: id, reason: null });
    const broken = (id: string, why: string) => ({ runbookId: id, reason: why });
    await recordVerdicts(health, [broken('ops/before', 'docker no container matches'), fits('ops/during'), fits('ops/fixed'), fits('ops/after')], Z('21T06:00:00'));
    await recordVerdicts(health, [broken('ops/before', 'docker no container matches'), broken('ops/during', 'ssh jq is not installed there'), broken('ops/fixed', 'http answered 404: the endpoint is not there'), fits('ops/after')], Z('21T22:00:00'));
    await recordVerdicts(health, [broken('ops/before', 'docker no container matches'), broken('ops/during', 'ssh jq is not installed there'), fits('ops/fixed'), fits('ops/after')], Z('22T04:00:00'));
    await recordVerdicts(health, [broken('ops/after', 'ssh host key changed')], Z('22T08:00:00'));

    const service = new HandoffService({
      incidents: new KyselyIncidentStore(database), handoffs: new KyselyHandoffStore(database), clock: new ManualClock(new Date(BOUNDARY.getTime() + 60_000)),
      severities: DEFAULT_SEVERITIES, channel: 'C0INCIDENTS',
      config: HandoffConfigSchema.parse({ shifts: ['08:00', '20:00'], timeZone: 'Europe/Madrid', rotation: ['U0ALICE', 'U0BOB'] }),
      brokenRunbooks: async (since, until) => brokenBetween(await health.all(), since, until),
    });
    const s = await service.summarize({ since: SHIFT_START, until: BOUNDARY, source: 'shifts' });
    expect(s.brokenRunbooks).toEqual([{ runbookId: 'ops/during', brokenSince: Z('21T22:00:00'), reason: 'ssh jq is not installed there' }]);
    expect(toMarkdown(s)).toMatch(/Runbooks that broke \(1\)[^]*ops\/during.* · broken since 2026-11-21 22:00Z: ssh jq is not installed there/);

    // A shift in which nothing broke has no such section.
    const quiet = await service.summarize({ since: Z('22T05:00:00'), until: Z('22T07:00:00'), source: 'shifts' });
    expect(quiet.brokenRunbooks).toBeUndefined();
    expect(toMarkdown(quiet)).not.toContain('Runbooks that broke');
  });
});
