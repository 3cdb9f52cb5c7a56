import type { FollowUpService } from '#core/followups/service.js';
import type { IncidentService } from '#core/incidents/service.js';
import type { PostmortemService } from '#core/postmortem/service.js';
import type { RotationShift } from '#core/handoffs/rotation.js';
import type { Once } from '#core/once.js';
import type { Clock, IncidentStore, Logger, Pager } from '#core/ports.js';
import type { SlackNotifier } from './notifier.js';
import type { Remediation } from './remediation.js';
import type { SlackRoutines } from './routine-runs.js';

/** What every listener may use. Listeners ack, parse, delegate to a use-case, render. */
export interface SlackDeps {
  /** Follow-ups (action items) of incidents; absent when not wired. */
  followUps?: FollowUpService;
  /** Postmortem drafts posted to the thread; absent when not wired. */
  postmortems?: Pick<PostmortemService, 'request'>;
  incidents: IncidentService;
  store: IncidentStore;
  notifier: SlackNotifier;
  clock: Clock;
  incidentChannel: string;
  log: Logger;
  /** The pager (PagerDuty or the disabled one), for /oncall. */
  pager?: Pager;
  /** Escalation policy names from opsroom.yml (pagerduty.escalationPolicies), offered by Escalate. */
  escalationPolicies?: readonly string[];
  /** Runbook runs from Slack (suggestions, run cards, approvals); absent when not wired. */
  runs?: Remediation;
  /** Runs outside incidents and the routines' schedules (slack/routine-runs.ts); absent when not wired. */
  routines?: SlackRoutines;
  /** Who is on call from opsroom.yml's handoff rotation, for /oncall without PagerDuty. */
  rotation?: () => { now: RotationShift; next: RotationShift } | undefined;
  /** Delivery claims: each signed request has its effect once (listeners/once.ts). */
  deliveries?: Once;
}
