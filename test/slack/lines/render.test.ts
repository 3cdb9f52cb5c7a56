import { describe, expect, it } from 'vitest';
import type { HandoffLine } from '#core/handoffs/lines.js';
import type { NoticeLine, ThreadLine } from '#core/incidents/lines.js';
import { person, said, unsaid } from '#core/said.js';
import { opsroomLine } from '#slack/blocks/mrkdwn.js';
import { renderHandoffLine } from '#slack/lines/handoffs.js';
import { noticeText, payloadText, renderLine, renderNotice } from '#slack/lines/index.js';

const T = Date.parse('2026-12-01T14:05:09Z');
const posted = (l: ThreadLine) => opsroomLine(renderLine(l));

describe('thread lines rendered from the core facts', () => {
  const cases: [ThreadLine, string][] = [
    [{ kind: 'opened', by: 'U0ALICE', commander: 'U0BOB', label: 'P1 · Crítica', system: 'blatam' },
      ':rotating_light: <@U0ALICE> opened this P1 · Crítica incident in blatam. Commander: <@U0BOB>.'],
    [{ kind: 'pager-opened', label: 'sev-1', system: null },
      ':rotating_light: Raised in PagerDuty as sev-1. Acknowledge here or in PagerDuty; both stay in step.'],
    [{ kind: 'acknowledged', actor: 'U0BOB', tookMs: 4 * 60_000 }, ':eyes: <@U0BOB> acknowledged (4m after opening).'],
    [{ kind: 'update', actor: 'U0BOB', text: 'Found it', status: 'identified' }, ':memo: Update from <@U0BOB> — now *identified*:\nFound it'],
    [{ kind: 'update', actor: 'U0BOB', text: 'Still looking' }, ':memo: Update from <@U0BOB>:\nStill looking'],
    [{ kind: 'status', actor: 'U0BOB', status: 'monitoring' }, ':arrows_counterclockwise: <@U0BOB> moved the status to *monitoring*.'],
    [{ kind: 'severity', actor: 'U0BOB', from: 'sev-1', to: 'sev-2' }, ':warning: <@U0BOB> changed the severity from sev-1 to *sev-2*.'],
    [{ kind: 'commander', actor: 'U0BOB', commander: 'U0CAROL' }, ':bust_in_silhouette: <@U0BOB> made <@U0CAROL> the commander.'],
    [{ kind: 'reopened', actor: 'U0BOB' }, ':leftwards_arrow_with_hook: <@U0BOB> reopened the incident.'],
    [{ kind: 'escalated', actor: 'U0BOB' }, ':arrow_double_up: <@U0BOB> escalated to the next level in PagerDuty.'],
    [{ kind: 'escalated', actor: 'U0BOB', level: 2 }, ':arrow_double_up: <@U0BOB> escalated to level 2 in PagerDuty.'],
    [{ kind: 'escalated', actor: 'U0BOB', policyId: '<!here>' }, ':arrow_double_up: <@U0BOB> escalated to escalation policy &lt;!here&gt; in PagerDuty.'],
    [{ kind: 'update-due', commander: 'U0BOB', quietMs: 31 * 60_000, label: 'sev-2', everyMs: 30 * 60_000 },
      ':alarm_clock: No update for 31m. <@U0BOB>, please post one (sev-2 expects one every 30m).'],
    [{ kind: 'response-due', commander: 'U0BOB', withinMs: 5 * 60_000, severity: 'sev-1' },
      ':warning: Not acknowledged within 5m, the response target of sev-1. <@U0BOB>, please acknowledge or hand it over.'],
    [{ kind: 'resolved', actor: 'U0BOB', resolution: 'Rolled back', ackMs: 4 * 60_000, mitigateMs: null, resolveMs: 24 * 60_000, timeline: '1 update' },
      ':white_check_mark: <@U0BOB> resolved the incident. Rolled back\n*Time to acknowledge:* 4m · *Time to mitigate:* no verified recovery · *Time to resolve:* 24m\n*Timeline:* 1 update'],
    [{ kind: 'resolved', actor: 'alertmanager', resolution: null, ackMs: null, mitigateMs: 60_000, resolveMs: null, timeline: 'no other events' },
      ':white_check_mark: alertmanager resolved the incident.\n*Time to acknowledge:* never acknowledged · *Time to mitigate:* 1m · *Time to resolve:* —\n*Timeline:* no other events'],
    [{ kind: 'pager-assigned', escalated: true, by: 'Ana', assignees: 'Bo, Cy', policy: 'Ops' }, ':arrow_double_up: Escalated in PagerDuty by Ana: now Bo, Cy (Ops)'],
    [{ kind: 'pager-assigned', escalated: false, by: 'Ana', assignees: 'Bo', policy: null }, ':arrow_double_up: Reassigned in PagerDuty by Ana: now Bo'],
    [{ kind: 'pager-note', by: 'Ana', text: 'Looking <@U1>' }, ':memo: Note in PagerDuty from Ana:\nLooking &lt;@U1&gt;'],
    [{ kind: 'oncall', system: 'blatam', oncall: ['U0ALICE', 'S0OPS'] }, ':bell: blatam on call: <@U0ALICE> <!subteam^S0OPS>'],
    [{ kind: 'moved', actor: 'U0BOB', from: null, to: 'blatam' }, ':twisted_rightwards_arrows: <@U0BOB> moved this incident from no system to *blatam*.'],
    [{ kind: 'moved', actor: 'U0BOB', from: 'pay', to: 'blatam' }, ':twisted_rightwards_arrows: <@U0BOB> moved this incident from pay to *blatam*.'],
    [{ kind: 'alert-opened', source: 'alertmanager', label: 'sev-2', system: 'blatam', firing: { names: ['TargetDown'], total: 1 }, runbook: 'web/restart' },
      ':rotating_light: Alertmanager opened this sev-2 incident of blatam: TargetDown firing. Runbook: `web/restart`.'],
    [{ kind: 'alert-opened', source: 'grafana', label: 'sev-3', system: null, firing: { names: ['A', 'B'], total: 12 }, runbook: null },
      ':rotating_light: Grafana opened this sev-3 incident: A, B and 10 more firing.'],
    [{ kind: 'alert-new', name: 'HighLatency' }, ':heavy_plus_sign: New alert in the group: HighLatency firing.'],
    [{ kind: 'alert-firing-again', name: 'HighLatency', flaps: { changes: 3, since: T } }, ':rotating_light: HighLatency firing again (changed 3 times since 14:05:09 UTC).'],
    [{ kind: 'alert-resolved', name: 'HighLatency', flaps: null }, ':white_check_mark: HighLatency resolved.'],
    [{ kind: 'group-firing-again', source: 'alertmanager', at: T, firing: { names: ['A'], total: 1 } }, ':rotating_light: Alertmanager: firing again at 14:05:09 UTC: A.'],
    [{ kind: 'group-resolved', source: 'alertmanager', at: T, note: { kind: 'none' } }, ':white_check_mark: Alertmanager: alert resolved at 14:05:09 UTC.'],
    [{ kind: 'group-resolved', source: 'alertmanager', at: T, note: { kind: 'kept-open', by: 'U0BOB', status: 'investigating' } },
      ':white_check_mark: Alertmanager: alert resolved at 14:05:09 UTC. <@U0BOB> reopened this incident, so it stays investigating.'],
    [{ kind: 'group-resolved', source: 'grafana', at: T, note: { kind: 'resolving' } }, ':white_check_mark: Grafana: alert resolved at 14:05:09 UTC. Resolving the incident.'],
    [{ kind: 'group-resolved', source: 'alertmanager', at: T, note: { kind: 'monitoring', set: true, resolvesAt: T + 600_000 } },
      ':white_check_mark: Alertmanager: alert resolved at 14:05:09 UTC. Status: *monitoring*. It resolves at 14:15:09 UTC if the alert stays quiet.'],
    [{ kind: 'group-resolved', source: 'alertmanager', at: T, note: { kind: 'monitoring', set: false, resolvesAt: null } }, ':white_check_mark: Alertmanager: alert resolved at 14:05:09 UTC.'],
    [{ kind: 'followup-added', actor: 'U0BOB', owner: 'U0DAVE', text: 'Add an alert' }, ':pushpin: <@U0BOB> added a follow-up (owner <@U0DAVE>): Add an alert'],
    [{ kind: 'followup-added', actor: 'U0BOB', owner: null, text: 'Add an alert' }, ':pushpin: <@U0BOB> added a follow-up: Add an alert'],
    [{ kind: 'followup-done', actor: 'U0BOB', text: 'Add an alert' }, ':ballot_box_with_check: <@U0BOB> marked a follow-up done: Add an alert'],
    [{ kind: 'recovery-watch', stepId: 'restart', checks: ['health', 'errors'], everyMs: 60_000, windowMs: 5 * 60_000 },
      ':stethoscope: `restart` succeeded. Checking `health`, `errors` every 1m for 5m to verify the recovery.'],
    [{ kind: 'recovery-failed', again: true, at: T, failure: 'health: HTTP 500', stepId: 'restart', runId: 7 },
      ':warning: regressed at 14:05 UTC: health: HTTP 500 failed again after `restart` (run 7).'],
    [{ kind: 'recovery-failed', again: false, at: T, failure: 'health: <!channel>', stepId: 'restart', runId: 7 },
      ':warning: not recovered at 14:05 UTC: health: &lt;!channel&gt; failed after `restart` (run 7).'],
    [{ kind: 'recovered', at: T, verifiedMs: 5 * 60_000, checks: ['health'], stepId: 'restart' },
      ':white_check_mark: Recovered at 14:05 UTC (verified 5m): `health` passed every round after `restart`.'],
  ];
  it.each(cases)('%o', (line, text) => {
    expect(posted(line)).toBe(text);
  });

  it('escapes the words that are not opsroom\'s own, and only those', () => {
    const text = posted({ kind: 'update', actor: 'U0BOB', text: 'ping <!channel> & <@U0EVE> @here' });
    expect(text).toBe(':memo: Update from <@U0BOB>:\nping &lt;!channel&gt; &amp; &lt;@U0EVE&gt; @\u2060here');
    expect(renderLine({ kind: 'followup-done', actor: 'U0BOB', text: 'x' })).toContain(said('x'));
  });

  it('renders notices in other channels', () => {
    const notices: [NoticeLine, string][] = [
      [{ kind: 'announce-opened', label: 'P1', system: 'blatam', title: 'Checkout <!here>' }, ':rotating_light: P1 incident in blatam: Checkout &lt;!here&gt;'],
      [{ kind: 'announce-raised', incidentId: 7, system: 'blatam', label: 'P1', title: 'Down' }, ':warning: INC-7 in blatam is now P1: Down'],
      [{ kind: 'moved-here', incidentId: 7, label: 'P2', from: null, title: 'Down' }, ':twisted_rightwards_arrows: INC-7 (P2) moved here from no system: Down. Its thread stays where it opened.'],
      [{ kind: 'announce-moved', label: 'P2', to: 'blatam', from: 'pay', title: 'Down' }, ':rotating_light: P2 incident in blatam (moved from pay): Down'],
    ];
    for (const [line, text] of notices) expect(opsroomLine(renderNotice(line))).toBe(text);
  });

  it('still delivers rows stored with text before lines were facts', () => {
    expect(payloadText({ text: ':eyes: <@U0BOB> acknowledged (4m after opening).' })).toBe(':eyes: <@U0BOB> acknowledged (4m after opening).');
    expect(payloadText({ line: { kind: 'reopened', actor: 'U0BOB' } })).toBe(':leftwards_arrow_with_hook: <@U0BOB> reopened the incident.');
    expect(noticeText({ text: 'old notice' })).toBe('old notice');
  });

  it('names people the core marks with a mention, and only real ids', () => {
    expect(opsroomLine(`by ${person('U0BOB')} and ${person('S0OPS')}`)).toBe('by <@U0BOB> and <!subteam^S0OPS>');
    expect(opsroomLine(`by ${person('U1> <!channel')}`)).toBe('by U1&gt; &lt;!channel');
    // Someone's words cannot forge a person mark.
    expect(opsroomLine(said(`x ${person('U0EVE')}`))).toBe('x U0EVE');
    expect(unsaid(`done by ${person('U0BOB')}.`)).toBe('done by @U0BOB.');
  });

  it('refuses a kind it does not know (a row from a newer release) instead of posting nothing', () => {
    expect(() => renderLine({ kind: 'from-the-future' } as unknown as ThreadLine)).toThrow(/no text for thread line from-the-future/);
  });
});

describe('handoff lines', () => {
  const cases: [HandoffLine, string][] = [
    [{ kind: 'handoff-accepted', user: 'U0BOB', moved: [] }, ':handshake: <@U0BOB> accepted the handoff.'],
    [{ kind: 'handoff-accepted', user: 'U0BOB', moved: [1, 4] }, ':handshake: <@U0BOB> accepted the handoff and is now commander of INC-1, INC-4.'],
    [{ kind: 'handoff-reminder', headline: '2 open' }, ':alarm_clock: Reminder: please accept the handoff (2 open).'],
    [{ kind: 'handoff-not-accepted', incoming: 'U0ALICE', minutes: 15 }, ':alarm_clock: <@U0ALICE>, the handoff has not been accepted after 15 min.'],
    [{ kind: 'handoff-not-accepted', incoming: null, minutes: 15 }, ':alarm_clock: Incoming on-call, the handoff has not been accepted after 15 min.'],
    [{ kind: 'handoff-escalated', to: ['S0LEADS', 'U0ERIN'], headline: '2 open', incoming: 'U0ALICE', minutes: 30 },
      ':rotating_light: <!subteam^S0LEADS> <@U0ERIN>: nobody has accepted the handoff (2 open). <@U0ALICE> was reminded 30 min ago.'],
    [{ kind: 'handoff-escalated', to: [], headline: '2 open', incoming: null, minutes: 30 },
      ':rotating_light: nobody has accepted the handoff (2 open). Incoming on-call was reminded 30 min ago.'],
  ];
  it.each(cases)('%o', (line, text) => {
    expect(opsroomLine(renderHandoffLine(line))).toBe(text);
  });
});
