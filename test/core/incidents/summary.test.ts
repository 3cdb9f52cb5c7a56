import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/incidents/incident.js';
import { resolvedLine } from '#core/incidents/summary.js';
import { renderLine } from '#slack/lines/index.js';

const resolutionText = (...a: Parameters<typeof resolvedLine>) => renderLine(resolvedLine(...a));

const T0 = new Date('2026-12-01T14:00:00Z');
const incident: Incident = {
  id: 4, title: 'Target down', severity: 'P1', status: 'resolved', commander: 'alertmanager', openedBy: 'alertmanager', summary: null,
  service: null, system: null, channel: 'C0INCIDENTS', sourceChannel: 'alertmanager', cardTs: '1.1', createdAt: T0,
  acknowledgedAt: null, acknowledgedBy: null, mitigatedAt: null, resolvedAt: new Date(T0.getTime() + 600_000), resolution: null,
  lastUpdateAt: T0, lastReminderAt: null, version: 3,
};

describe('the resolve message', () => {
  it('mentions a person, and names a sender that is not one instead of a broken mention', () => {
    expect(resolutionText(incident, [], 'U0BOB')).toMatch(/^:white_check_mark: <@U0BOB> resolved the incident\./);
    const byAlert = resolutionText(incident, [], 'alertmanager');
    expect(byAlert).toMatch(/^:white_check_mark: alertmanager resolved the incident\./);
    expect(byAlert).not.toContain('<@alertmanager>');
    expect(byAlert).toContain('*Time to resolve:* 10m');
  });
});
