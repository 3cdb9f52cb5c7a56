/**
 * A dangerous step runs only with a Confirmation bound to the exact step: the fingerprint covers the
 * run, the step id and the resolved command (target and rendered parameters included), so any change
 * voids it. Who may confirm or approve is the caller's business (the Slack flow, the CLI prompt).
 */
import { createHash } from 'node:crypto';
import { CodedError, ErrorCode } from '../errors.js';
import type { StepRun } from './ports.js';
import type { ResolvedStep } from './step-runner.js';

export interface Confirmation {
  /** Who confirmed the exact command (the requester). */
  confirmedBy: string;
  /** Who approved it, where a second person had to. */
  approvedBy?: string;
  /** References to stored approvals, kept on the attempt. */
  refs: string[];
  /** Must equal stepFingerprint(runId, step). */
  fingerprint: string;
}

/** JSON with object keys sorted, so the same command always gives the same text. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function stepFingerprint(runId: number, step: Pick<ResolvedStep, 'id' | 'command'>): string {
  return createHash('sha256').update(stableJson({ runId, stepId: step.id, command: step.command })).digest('hex');
}

/** The references stored on an attempt for a confirmation. */
export function confirmationRefs(c: Confirmation): string[] {
  return [`confirmed:${c.confirmedBy}`, ...(c.approvedBy ? [`approved:${c.approvedBy}`] : []), ...c.refs];
}

/** A dangerous step needs a confirmation for exactly this run, step and command. */
export function assertConfirmed(runId: number, step: StepRun, c: Confirmation | undefined): void {
  if (!step.step.danger) return;
  if (!c) throw new CodedError(ErrorCode.Forbidden, `Step ${step.stepId} is dangerous and needs a confirmation.`, { stepId: step.stepId });
  if (c.fingerprint !== stepFingerprint(runId, step.step)) {
    throw new CodedError(ErrorCode.Forbidden, `The confirmation for step ${step.stepId} does not match its command any more.`, { stepId: step.stepId });
  }
}
