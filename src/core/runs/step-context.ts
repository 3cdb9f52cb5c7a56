/** Who runs a step and with what leave, and what came of it: shared by the engine and sequence.ts. */
import type { Confirmation } from './confirmation.js';
import type { StepFinish } from './events.js';
import type { ManualConfirm } from './execute.js';
import type { StepRun, TimelineRecord } from './ports.js';

export interface StepContext {
  /** Who acts (a Slack user id, `cli:<user>`). */
  actor: string;
  /** Required for dangerous steps; bound to the exact step (see stepFingerprint). */
  confirmation?: Confirmation;
  /** For manual steps: resolves true once the person says it is done. */
  confirmManual?: ManualConfirm;
  /** More secret values to hide in this step's output (e.g. the run's secret parameters). */
  secrets?: readonly string[];
  /** Timeline events stored with this one step's claim, in one transaction (e.g. "confirmed dangerous step"). */
  record?: TimelineRecord;
}

export interface StepResult extends StepFinish {
  target: string;
  command: string;
}

/** What running several steps in order needs of the engine (RunEngine). */
export interface StepDriver {
  runStep(runId: number, stepId: string, ctx: StepContext): Promise<StepResult>;
  skip(runId: number, stepId: string, actor: string, reason?: string | null): Promise<StepRun>;
}
