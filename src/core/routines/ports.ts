/** Ports of routines: where due slots are claimed, how a routine run starts, and what is told. */
import type { Schedule } from './schedule.js';

/** A runbook that runs on a schedule, with where its summary goes. */
export interface Routine {
  runbookId: string;
  title: string;
  /** The first segment of the runbook id (`blatam/morning-routine` -> blatam). */
  system: string;
  schedule: Schedule;
  channel: string;
}

export type SlotState = 'running' | 'passed' | 'failed' | 'missed';

export interface Slot {
  runbookId: string;
  at: Date;
  state: SlotState;
  owner: string;
  runId: number | null;
  incidentId: number | null;
}

export interface SlotStore {
  /**
   * Records the slot (runbook id + scheduled time) unless it is recorded already. True only for
   * the one caller whose row went in: that caller runs (or reports) the slot; everyone else skips.
   */
  claimSlot(slot: Omit<Slot, 'runId' | 'incidentId'>, claimedAt: Date): Promise<boolean>;
  finishSlot(runbookId: string, at: Date, patch: { state: SlotState; runId?: number | null; incidentId?: number | null }): Promise<void>;
  /** The newest recorded slot of a runbook, whatever its state. */
  lastSlot(runbookId: string): Promise<Date | undefined>;
}

/** One check of a routine run, as the summary tells it (output redacted and capped by the engine). */
export interface CheckResult {
  stepId: string;
  title: string;
  state: string;
  reason: string | null;
  output: string;
}

export interface RoutineSummary {
  runbookId: string;
  title: string;
  channel: string;
  runId: number | null;
  /** The scheduled time, or null for a run a person started. */
  slotAt: Date | null;
  timezone: string;
  passed: CheckResult[];
  failed: CheckResult[];
  /** Steps left for a person (dangerous, manual): they wait on the run card. */
  waiting: { stepId: string; title: string }[];
  /** Why the run could not start (a required parameter without a value…). */
  error: string | null;
  incident: { id: number; severity: string } | null;
  /** Why the incident `on_failure` asks for could not be opened. */
  incidentError: string | null;
}

/** Chat facts; the adapter renders them. */
export interface RoutineChat {
  summary(s: RoutineSummary): Promise<void>;
  missed(m: { routine: Routine; slots: Date[] }): Promise<void>;
}

/** Starts a run of a routine in its channel (card posted, run bound to the channel). */
export interface RoutineStarter {
  start(runbookId: string, actor: string, channel: string): Promise<{ id: number }>;
}

export interface IncidentOpener {
  open(input: { severity: string; title: string; summary: string; service: string; runId: number | null; runbookId: string; channel: string }): Promise<{ id: number; severity: string }>;
}
