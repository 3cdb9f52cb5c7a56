/** The incident card keeps time honestly: live age, no fake "last update", a missed response target. */
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/incidents/incident.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { incidentCard } from '#slack/blocks/card.js';

const T0 = new Date('2026-12-01T14:00:00Z');
const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 3, title: 'Checkout down', severity: 'P1', status: 'investigating', commander: 'U0ALICE', openedBy: 'U0ALICE',
  summary: null, service: null, system: null, channel: 'C0INCIDENTS', sourceChannel: 'C0GENERAL', cardTs: null, createdAt: T0,
  acknowledgedAt: null, acknowledgedBy: null, mitigatedAt: null, resolvedAt: null, resolution: null, lastUpdateAt: T0,
  lastReminderAt: null, version: 1, ...over,
});
const text = (i: Incident, now: Date) => JSON.stringify(incidentCard(i, { severities: DEFAULT_SEVERITIES, now }));
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const p1 = DEFAULT_SEVERITIES.find((s) => s.id === 'P1')!;

describe('the incident card', () => {
  it('gives an open incident an age Slack keeps current, and a resolved one its fixed duration', () => {
    expect(text(incident(), at(12))).toContain(`opened <!date^${T0.getTime() / 1000}^{ago}|`);
    const resolved = text(incident({ status: 'resolved', resolvedAt: at(90) }), at(200));
    expect(resolved).toContain('1h 30m (resolved)');
    expect(resolved).not.toContain('{ago}|2026-12-01T14:00');
  });

  it('says no update was posted instead of "last update just now"', () => {
    expect(text(incident(), at(1))).toContain('No status update yet');
    expect(text(incident({ lastUpdateAt: at(5) }), at(6))).toContain(`Last update <!date^${at(5).getTime() / 1000}^{ago}`);
  });

  it('shows when to respond, then that the target was missed while nobody acknowledged', () => {
    const due = at(p1.responseMinutes);
    const before = text(incident(), at(p1.responseMinutes - 1));
    expect(before).toContain(`Respond by <!date^${due.getTime() / 1000}^{time}`);
    expect(before).not.toContain('missed');
    const after = text(incident(), at(p1.responseMinutes + 3));
    expect(after).toContain('Response target missed');
    expect(text(incident({ acknowledgedAt: at(1), acknowledgedBy: 'U0BOB' }), at(60))).not.toMatch(/Respond by|missed/);
  });
});
