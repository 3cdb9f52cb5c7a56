/**
 * Thread lines as facts: what happened, with whom and how long, never how it reads. The chat
 * adapter renders each kind (src/slack/lines). Durations are in milliseconds, times in epoch
 * milliseconds, so a line survives the outbox's JSON unchanged.
 */
import type { AlertLine } from '../alerts/lines.js';
import type { FollowUpLine } from '../followups/lines.js';
import type { RecoveryLine } from '../recovery/lines.js';
import type { SystemLine, SystemNotice } from '../systems/lines.js';
import type { Status } from './status.js';

export type IncidentLine =
  /** Opened by a person; `label` is the team's name for the level. */
  | { kind: 'opened'; by: string; commander: string; label: string; system: string | null }
  /** Raised in the pager on a watched service. */
  | { kind: 'pager-opened'; label: string; system: string | null }
  | { kind: 'acknowledged'; actor: string; tookMs: number }
  | { kind: 'update'; actor: string; text: string; status?: Status }
  | { kind: 'status'; actor: string; status: Status }
  | { kind: 'severity'; actor: string; from: string; to: string }
  | { kind: 'commander'; actor: string; commander: string }
  | { kind: 'reopened'; actor: string }
  | { kind: 'escalated'; actor: string; level?: number; policyId?: string }
  /** No update for `quietMs`; `label`'s level expects one every `everyMs`. */
  | { kind: 'update-due'; commander: string; quietMs: number; label: string; everyMs: number }
  /** Not acknowledged within the response target of `severity`. */
  | { kind: 'response-due'; commander: string; withinMs: number; severity: string }
  /** Resolved; times are null when the incident never reached that point. */
  | { kind: 'resolved'; actor: string; resolution: string | null; ackMs: number | null; mitigateMs: number | null; resolveMs: number | null; timeline: string }
  | { kind: 'pager-assigned'; escalated: boolean; by: string; assignees: string; policy: string | null }
  | { kind: 'pager-note'; by: string; text: string };

/** Every fact a thread line can tell. */
export type ThreadLine = IncidentLine | SystemLine | AlertLine | FollowUpLine | RecoveryLine;

/** Every fact a message in another channel can tell. */
export type NoticeLine = SystemNotice;
