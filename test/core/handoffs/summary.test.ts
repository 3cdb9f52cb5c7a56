import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffConfigSchema } from '#core/handoffs/config.js';
import { toJson, toMarkdown } from '#core/handoffs/render.js';
import { HandoffService } from '#core/handoffs/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import type { Database } from '#store/db.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { ManualClock } from '../../support/clock.js';
import { ENGINES } from '../../store/engines.js';
import { BOUNDARY, SHIFT_START, seedNightShift } from './fixtures.js';

describe.each(ENGINES)('handoff summary from stored state on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  let service: HandoffService;
  const clock = new ManualClock(new Date(BOUNDARY.getTime() + 5 * 60_000));

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
    service = new HandoffService({
      incidents: new KyselyIncidentStore(database), handoffs: new KyselyHandoffStore(database), clock, severities: DEFAULT_SEVERITIES,
      config: HandoffConfigSchema.parse({ shifts: ['08:00', '20:00'], timeZone: 'Europe/Madrid', rotation: ['U0ALICE', 'U0BOB'] }), channel: 'C0INCIDENTS',
    });
  });
  afterEach(async () => {
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('holds exactly what belongs to the shift that just ended', async () => {
    const { i2, i3, i4, i5, runA } = await seedNightShift(database);
    const change = await service.lastShiftChange();
    expect(change?.window).toEqual({ since: SHIFT_START, until: BOUNDARY, source: 'shifts' });
    const s = await service.summarize(change!.window, { atChange: true });

    expect(s.open.map((i) => i.id)).toEqual([i2.id, i5.id]);
    const inc2 = s.open[0];
    expect(inc2.lastUpdate?.text).toBe('Identified bad config.\nNext step: roll back config');
    expect(inc2.nextStep).toBe('roll back config');
    expect(inc2.pendingApprovals).toEqual([{ runId: runA.id, stepId: 'restart', requestedBy: 'U0BOB', expiresAt: new Date('2026-11-22T07:05:00Z') }]);
    expect(inc2.runs).toEqual([{ runId: runA.id, runbookId: 'redis-down', state: 'failed', failedSteps: ['restart'], pendingSteps: 0 }]);
    expect(s.open[1]).toMatchObject({ severity: 'P3', acknowledged: false, lastUpdate: { text: 'Cleaning old WAL files' } });

    expect(s.shift.map((i) => [i.id, i.openedInShift, i.resolvedInShift])).toEqual([[i3.id, false, true], [i4.id, true, true], [i5.id, true, false]]);
    expect(s.shift.find((i) => i.id === i4.id)).toMatchObject({ ttaMs: 3 * 60_000, ttrMs: 3_600_000 });

    expect(s.steps.total).toBe(2);
    expect(s.steps.byState).toEqual({ failed: 1, succeeded: 1 });
    expect(s.steps.notable).toEqual([expect.objectContaining({ stepId: 'restart', danger: true, state: 'failed', actor: 'U0BOB', target: 'ssh:web1', exitCode: 1, incidentId: i2.id })]);

    // INC-2 and INC-3 paged before the shift, INC-6 after it.
    expect(s.pages.map((p) => [p.incidentId, p.kind])).toEqual([[i2.id, 'pagerduty'], [i4.id, 'page'], [i5.id, 'page']]);
    expect(s.unansweredReminders.map((r) => r.incidentId)).toEqual([i2.id]);
    expect(s.notes.map((n) => n.text)).toEqual(['Disk on db-2 at 85%, watch it']);
    expect(s.checks).toEqual({ state: 'not_configured' });
    // 2026-11-22 08:00 Madrid is shift change number 2·(days since 2000-01-01): even → rotation[0] takes over.
    expect(s.onCall).toEqual({ outgoing: ['U0BOB'], incoming: ['U0ALICE'], source: 'rotation' });
    expect(s.headline).toBe('2 open, 1 P1 · 2 resolved · 1 failed restart · 3 pages · 1 unanswered reminder');

    const md = toMarkdown(s);
    expect(md).toContain('# Handoff: 2 open, 1 P1');
    expect(md).not.toMatch(/INC-1\b|INC-6\b|Old outage|After the shift|Previous shift note|Next shift note|Later update/);
    const json = JSON.parse(toJson(s));
    expect(json.window.since).toBe(SHIFT_START.toISOString());
  });

  it('reports an empty shift plainly', async () => {
    const s = await service.summarize({ since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-01-01T12:00:00Z'), source: 'since' });
    expect(s.headline).toBe('Quiet shift: nothing open, nothing happened');
    expect(toMarkdown(s)).toContain('No runbook steps ran.');
  });
});
