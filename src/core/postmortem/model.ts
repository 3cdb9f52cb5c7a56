/** The postmortem draft as data (the JSON format); render.ts writes it as Markdown. */
import type { FollowUp } from '../followups/model.js';
import type { Incident } from '../incidents/incident.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import type { Attempt, Run, StepRun } from '../runs/ports.js';
import type { Language } from './i18n.js';

export interface RunRecord {
  run: Run;
  steps: StepRun[];
  attempts: Attempt[];
}

/** What the draft is built from. Stored text is already redacted; it is scrubbed again. */
export interface PostmortemInput {
  incident: Incident;
  events: TimelineEvent[];
  runs: RunRecord[];
  followUps: FollowUp[];
  language: Language;
  now: Date;
  /** Display names by user ID, where known (Slack); otherwise IDs are shown. */
  names?: Readonly<Record<string, string>>;
}

export interface EventEntry {
  type: 'event';
  at: Date;
  kind: string;
  actor: string;
  /** Plain text (no Slack formatting), people by name. */
  text: string;
}

export interface StepEntry {
  type: 'step';
  at: Date;
  finishedAt: Date | null;
  runId: number;
  runbookId: string;
  stepId: string;
  title: string;
  attempt: number;
  actor: string;
  approver: string | null;
  target: string;
  command: string;
  state: string;
  exitCode: number | null;
  durationMs: number | null;
  /** The last lines of the (redacted) output. */
  output: { text: string; shown: number; total: number };
  error: string | null;
}

export type TimelineEntry = EventEntry | StepEntry;

export interface Participant {
  user: string;
  name: string | null;
  roles: string[];
}

export interface Postmortem {
  key: string;
  language: Language;
  generatedAt: Date;
  title: string;
  status: string;
  summary: string | null;
  resolution: string | null;
  commander: string;
  impact: { system: string | null; service: string | null; severity: string; severities: string[]; durationMs: number; ongoing: boolean };
  times: {
    opened: Date;
    acknowledged: Date | null;
    mitigated: Date | null;
    resolved: Date | null;
    ttaMs: number | null;
    ttmMs: number | null;
    ttrMs: number | null;
  };
  timeline: TimelineEntry[];
  participants: Participant[];
  followUps: Array<Pick<FollowUp, 'id' | 'text' | 'owner' | 'createdBy' | 'createdAt' | 'doneBy' | 'doneAt' | 'issueUrl'>>;
}
