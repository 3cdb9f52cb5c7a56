/** The handoff summary: plain data, rendered to Slack blocks, markdown or JSON. */
import type { WindowSource } from './window.js';

export interface OpenIncidentItem {
  id: number;
  title: string;
  severity: string;
  status: string;
  commander: string;
  openedAt: Date;
  ageMs: number;
  acknowledged: boolean;
  lastUpdate: { at: Date; actor: string; text: string } | null;
  /** From the latest update ("Next: …" / "Next step: …"), if one was stated. */
  nextStep: string | null;
  pendingApprovals: Array<{ runId: number; stepId: string; requestedBy: string; expiresAt: Date }>;
  runs: Array<{ runId: number; runbookId: string; state: string; failedSteps: string[]; pendingSteps: number }>;
  /** Follow-ups not marked done yet. */
  followUps?: FollowUpItem[];
}

export interface FollowUpItem {
  id: number;
  text: string;
  owner: string | null;
}

export interface ShiftIncidentItem {
  id: number;
  title: string;
  severity: string;
  openedAt: Date;
  resolvedAt: Date | null;
  openedInShift: boolean;
  resolvedInShift: boolean;
  ttaMs: number | null;
  ttrMs: number | null;
  resolution: string | null;
  /** Follow-ups not marked done yet. */
  followUps?: FollowUpItem[];
}

export interface StepItem {
  runId: number;
  runbookId: string;
  incidentId: number | null;
  stepId: string;
  title: string;
  danger: boolean;
  target: string;
  actor: string;
  at: Date;
  state: string;
  exitCode: number | null;
  error: string | null;
}

export interface EventItem {
  incidentId: number;
  at: Date;
  actor: string;
  kind: string;
  text: string;
}

export interface HandoffSummary {
  window: { since: Date; until: Date; source: WindowSource };
  generatedAt: Date;
  headline: string;
  open: OpenIncidentItem[];
  /** Opened or resolved during the shift. */
  shift: ShiftIncidentItem[];
  steps: {
    total: number;
    byState: Record<string, number>;
    /** Every failed or dangerous step, newest first. */
    notable: StepItem[];
  };
  pages: EventItem[];
  /** Update reminders not followed by an update. */
  unansweredReminders: EventItem[];
  notes: Array<{ at: Date; author: string; text: string; incidentId: number | null }>;
  checks:
    | { state: 'not_configured' }
    | { state: 'unavailable'; runbookId: string; reason: string }
    | { state: 'ran'; runbookId: string; ok: boolean; results: Array<{ stepId: string; title: string; state: string; detail: string }> };
  onCall: { outgoing: string[]; incoming: string[]; source: string };
  /** Runbooks a verify found broken during the shift and still broken (core/verify); absent when none. */
  brokenRunbooks?: Array<{ runbookId: string; brokenSince: Date; reason: string | null }>;
}
