/**
 * Side effects on the outside world (Slack, PagerDuty) are stored in the same transaction as the
 * change that caused them, then delivered by the dispatcher, in order per incident and target,
 * with retries. A crash or an outage loses nothing.
 */
import type { NoticeLine, ThreadLine } from './incidents/lines.js';

export type EffectTarget = 'chat' | 'pager';

export type EffectPayload =
  /** Post the card (if not posted yet) or update it in place from the current stored state. */
  | { type: 'card' }
  /** A line in the incident's thread: a fact the chat adapter renders, or text (lines written by adapters, older rows). */
  | ({ type: 'thread'; /** A button under the line (verified recovery offers monitoring). */ offer?: 'monitoring' } & ({ line: ThreadLine } | { text: string }))
  /** A runbook run's card in the incident's thread (the chat adapter reads the run itself). */
  | { type: 'run.card'; runId: number }
  /** A request for a second responder's approval of a dangerous step, in the incident's thread. */
  | { type: 'run.approval'; approvalId: number }
  /** An approval request was decided or expired: its message gets the outcome and loses its buttons. */
  | { type: 'run.approval.settle'; approvalId: number; outcome: ApprovalOutcome }
  /** The runbooks that match the incident, with Start buttons (what matches when it is delivered). */
  | { type: 'run.suggest' }
  /** The postmortem draft as a Markdown file in the incident's thread (built when delivered). */
  | { type: 'postmortem'; by: string }
  /** A message in another channel (a system's announcement, a moved incident's note), linking to the thread. */
  | ({ type: 'notice'; channel: string } & ({ line: NoticeLine } | { text: string }))
  /** Pager calls: the pager adapter reads the incident itself. */
  | { type: 'pager.trigger' }
  | { type: 'pager.acknowledge'; actor: string }
  | { type: 'pager.resolve'; actor: string; summary: string | null }
  | { type: 'pager.note'; actor: string; text: string }
  | { type: 'pager.severity'; severity: string }
  | { type: 'pager.escalate'; actor: string; level?: number; policyId?: string };

/** How an approval request ended, as its message shows it. */
export interface ApprovalOutcome {
  kind: 'approved' | 'not_started' | 'rejected' | 'withdrawn' | 'expired';
  /** Who decided (not for `expired`). */
  by?: string;
  reason?: string;
  /** Why an approved step could not start (`not_started`): its coded error (`message` with its said() marks); none when internal. */
  error?: { code: string; message: string };
}

export interface NewEffect {
  target: EffectTarget;
  payload: EffectPayload;
}

export type EffectState = 'pending' | 'done' | 'failed';

export interface Effect extends NewEffect {
  id: number;
  incidentId: number;
  state: EffectState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}

/** Thrown by adapters when a delivery fails; tells the dispatcher whether and when to retry. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
