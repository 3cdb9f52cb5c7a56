/** What handoffs read and write. Implemented by src/store/handoffs.ts and the Slack adapter. */
import type { TimelineEvent } from '../incidents/timeline.js';
import type { Attempt, Run } from '../runs/ports.js';
import type { ResolvedStep } from '../runs/step-runner.js';
import type { StepState } from '../runs/step-state.js';
import type { HandoffSummary } from './model.js';
import type { HandoffLine } from './lines.js';

export interface HandoffNote {
  id: number;
  at: Date;
  author: string;
  text: string;
  incidentId: number | null;
}

export interface PageRecord {
  incidentId: number;
  at: Date;
  kind: 'page' | 'escalation';
  actor: string;
  /** Delivery state: pending, done, failed. */
  state: string;
  detail: string;
}

export interface PendingApproval {
  incidentId: number;
  runId: number;
  stepId: string;
  requestedBy: string;
  requestedAt: Date;
  expiresAt: Date;
}

/** One posted handoff (scheduled or `/handoff post`) and its acceptance. */
export interface PostedHandoff {
  id: number;
  /** Unique: `shift:<ISO start>` for scheduled posts, `manual:<ms>:<user>` otherwise. */
  key: string;
  since: Date;
  until: Date;
  postedAt: Date;
  postedBy: string;
  channel: string | null;
  ts: string | null;
  incoming: string | null;
  dmChannel: string | null;
  dmTs: string | null;
  acceptedBy: string | null;
  acceptedAt: Date | null;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  headline: string;
}

/** A step attempt with what the summary needs from its run and step. */
export interface StepAttemptRow {
  attempt: Attempt;
  run: Pick<Run, 'id' | 'runbookId' | 'incidentId'>;
  title: string;
  danger: boolean;
}

export interface RunWithSteps {
  run: Run;
  steps: Array<{ stepId: string; title: string; state: StepState; step?: ResolvedStep }>;
}

export interface HandoffStore {
  addNote(note: Omit<HandoffNote, 'id'>): Promise<HandoffNote>;
  notesBetween(since: Date, until: Date): Promise<HandoffNote[]>;
  /** Timeline events with `at` in [since, until), of the given kinds (all when omitted), in order. */
  eventsBetween(since: Date, until: Date, kinds?: readonly string[]): Promise<TimelineEvent[]>;
  /** The latest event of one of `kinds` per incident, before `until`. */
  latestEvents(incidentIds: readonly number[], kinds: readonly string[], until: Date): Promise<Map<number, TimelineEvent>>;
  /** Second-responder approvals of these incidents' steps still waiting at `at` (requested, not decided, not expired). */
  pendingApprovals(incidentIds: readonly number[], at: Date): Promise<PendingApproval[]>;
  /** Pages sent to the pager (trigger and escalate effects) created in [since, until). */
  pagesBetween(since: Date, until: Date): Promise<PageRecord[]>;
  /** Step attempts started in [since, until). */
  attemptsBetween(since: Date, until: Date): Promise<StepAttemptRow[]>;
  /** Runs of these incidents that are not succeeded, with their steps. */
  unfinishedRuns(incidentIds: readonly number[]): Promise<RunWithSteps[]>;

  /** Stores a handoff; false (and nothing stored) when its key exists already. */
  insertHandoff(h: Omit<PostedHandoff, 'id'>): Promise<PostedHandoff | undefined>;
  handoffByKey(key: string): Promise<PostedHandoff | undefined>;
  /** The latest scheduled (shift-change) handoff whose window ended before `at`. */
  previousShiftHandoff(at: Date): Promise<PostedHandoff | undefined>;
  handoffByMessage(channel: string, ts: string): Promise<PostedHandoff | undefined>;
  setMessages(id: number, m: Partial<Pick<PostedHandoff, 'channel' | 'ts' | 'dmChannel' | 'dmTs' | 'incoming'>>): Promise<void>;
  /** Compare-and-set: true when this call recorded the acceptance. */
  accept(id: number, user: string, at: Date): Promise<boolean>;
  markReminded(id: number, at: Date): Promise<boolean>;
  markEscalated(id: number, at: Date): Promise<boolean>;
  /** Posted handoffs not yet accepted, posted at or after `since`. */
  unaccepted(since: Date): Promise<PostedHandoff[]>;
}

/** The on-call people (Slack ids where known, else PagerDuty names). */
export interface OnCallPair {
  outgoing: string[];
  incoming: string[];
  source: 'pagerduty' | 'rotation' | 'none';
}

/** Runs the configured handoff checks. */
export interface HandoffChecks {
  readonly runbookId: string;
  run(actor: string): Promise<CheckResult[]>;
}
export interface CheckResult {
  stepId: string;
  title: string;
  state: string;
  detail: string;
}

/** Where handoffs are posted. Implemented by the Slack adapter. */
export interface HandoffChat {
  /** Posts the summary in a channel; returns the message's ts. */
  post(channel: string, summary: HandoffSummary, handoffId: number): Promise<{ channel: string; ts: string }>;
  /** Sends the summary with an "Accept handoff" button to a user. */
  direct(user: string, summary: HandoffSummary, handoffId: number): Promise<{ channel: string; ts: string }>;
  /** A line (a fact the chat adapter renders), optionally in a thread. */
  say(channel: string, line: HandoffLine, threadTs?: string): Promise<void>;
}
