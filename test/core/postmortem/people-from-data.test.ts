/**
 * Commander and follow-up events name people in their data; their text is plain. The postmortem
 * and the Slack timeline view read the data, and older events (Slack mentions in the text) the same.
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/incidents/incident.js';
import type { TimelineEvent } from '#core/incidents/timeline.js';
import { buildPostmortem } from '#core/postmortem/build.js';
import { incidentShow } from '#slack/blocks/views.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const incident: Incident = {
  id: 7, title: 'Redis down', severity: 'P1', status: 'investigating', commander: 'U0BOB', openedBy: 'U0ALICE', summary: null, service: null,
  system: null, channel: 'C0INC', sourceChannel: 'C0GEN', cardTs: '1.1', createdAt: T0, acknowledgedAt: null, acknowledgedBy: null,
  mitigatedAt: null, resolvedAt: null, resolution: null, lastUpdateAt: T0, lastReminderAt: null, version: 3,
};
const ev = (n: number, kind: TimelineEvent['kind'], text: string, data: Record<string, unknown>): TimelineEvent =>
  ({ id: n, incidentId: 7, at: new Date(T0.getTime() + n * 1000), actor: 'U0ALICE', kind, text, data });

/** As the core writes them now: plain text, people in the data. */
const current = [
  ev(1, 'commander', '@U0CAROL is commander', { commander: 'U0CAROL' }),
  ev(2, 'commander', 'Commander @U0CAROL → @U0BOB', { from: 'U0CAROL', to: 'U0BOB' }),
  ev(3, 'followup', 'Follow-up (owner @U0DAVE): Add a <memory> alert', { action: 'added', owner: 'U0DAVE', text: 'Add a <memory> alert' }),
];
/** As older rows in a live database hold them: Slack mentions in the text. */
const older = [
  ev(1, 'commander', '<@U0CAROL> is commander', { commander: 'U0CAROL' }),
  ev(2, 'commander', 'Commander <@U0CAROL> → <@U0BOB>', { from: 'U0CAROL', to: 'U0BOB' }),
  ev(3, 'followup', 'Follow-up (owner <@U0DAVE>): Add a <memory> alert', { action: 'added', owner: 'U0DAVE' }),
];
const names = { U0BOB: 'bob', U0CAROL: 'carol', U0DAVE: 'dave' };

const postmortemTexts = (events: TimelineEvent[]) =>
  buildPostmortem({ incident, events, runs: [], followUps: [], language: 'en', now: new Date(T0.getTime() + 60_000), names })
    .timeline.map((e) => (e.type === 'event' ? e.text : ''));

const slackLines = (events: TimelineEvent[]) => {
  const blocks = incidentShow(incident, [], events).blocks;
  return blocks.flatMap((b) => ('text' in b && b.text && typeof b.text === 'object' && 'text' in b.text ? [String(b.text.text)] : [])).join('\n');
};

describe('people in commander and follow-up events come from the data', () => {
  it('the postmortem names them, for new and older events alike', () => {
    const expected = ['@carol is commander', 'Commander @carol → @bob', 'Follow-up (owner @dave): Add a <memory> alert'];
    expect(postmortemTexts(current)).toEqual(expected);
    expect(postmortemTexts(older)).toEqual(expected);
  });

  it('the Slack timeline mentions them and escapes the follow-up text, for new and older events alike', () => {
    const now = slackLines(current);
    for (const line of ['*commander* <@U0CAROL> is commander', '*commander* Commander <@U0CAROL> → <@U0BOB>', '*followup* Follow-up (owner <@U0DAVE>): Add a &lt;memory&gt; alert']) {
      expect(now).toContain(line);
    }
    expect(now).not.toContain('@U0CAROL is');
    expect(slackLines(older)).toBe(now);
  });
});
