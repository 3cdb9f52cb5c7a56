/** A verified-recovery watch: after a remediation succeeded, its checks run again for a window. */
export type WatchState = 'watching' | 'recovered' | 'regressed' | 'cancelled';

export interface RecoveryWatch {
  id: number;
  incidentId: number;
  runId: number;
  /** The remediation step whose success is being verified. */
  stepId: string;
  /** The step ids run on every round, in runbook order. */
  checks: string[];
  state: WatchState;
  /** When the remediation succeeded. */
  startedAt: Date;
  /** First round whose checks all passed (the recovery began), or null. */
  firstPassAt: Date | null;
  nextCheckAt: Date;
  /** Recovered once every round up to here passed. */
  endsAt: Date;
  rounds: number;
  /** Why it regressed: `<check>: <reason>`. */
  failure: string | null;
  finishedAt: Date | null;
  /** Compare-and-set: every change increments it. */
  version: number;
}

export type NewWatch = Pick<RecoveryWatch, 'incidentId' | 'runId' | 'stepId' | 'checks' | 'startedAt' | 'nextCheckAt' | 'endsAt'>;
export type WatchPatch = Partial<Pick<RecoveryWatch, 'state' | 'firstPassAt' | 'nextCheckAt' | 'rounds' | 'failure' | 'finishedAt'>>;

export interface RecoveryStore {
  /** Stores a new watch; the incident's other watches still watching are cancelled (the newest remediation counts). */
  create(watch: NewWatch): Promise<RecoveryWatch>;
  get(id: number): Promise<RecoveryWatch | undefined>;
  /** Watches still watching whose next round is due at `now`, oldest first. */
  due(now: Date): Promise<RecoveryWatch[]>;
  forIncident(incidentId: number): Promise<RecoveryWatch[]>;
  /**
   * Succeeded attempts finished at or after `since` that held a target lock (every remediation
   * does), in runs attached to an incident: what a watch may have been missed for.
   */
  recentRemediations(since: Date): Promise<{ runId: number; stepId: string; attempt: number; finishedAt: Date }[]>;
  /** Applies the patch if the version is still `version`; false when someone else changed it first. */
  update(id: number, version: number, patch: WatchPatch): Promise<boolean>;
}

/** opsroom.yml `recovery`. */
export interface RecoverySettings {
  windowMinutes: number;
  everyMinutes: number;
}

export const DEFAULT_RECOVERY: RecoverySettings = { windowMinutes: 10, everyMinutes: 1 };
