/**
 * Second-person approvals of dangerous steps. An approval is bound to the step's fingerprint (run,
 * step, exact command with target and parameters: any change voids it), expires, and cannot be
 * given by the person who asked. States form a small table; moves are compare-and-set in the store.
 */
import { z } from 'zod';
import { CodedError, ErrorCode } from '../errors.js';
import type { NewEffect } from '../effects.js';
import type { NewEvent } from '../incidents/timeline.js';
import type { Clock } from '../ports.js';
import { person } from '../said.js';
import { stepFingerprint, type Confirmation } from './confirmation.js';
import type { AuthorizeHook } from './engine.js';
import type { RunPolicy, IncidentRoles } from './permissions.js';

const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'expired', 'used'] as const;
const ApprovalStateSchema = z.enum(APPROVAL_STATES);
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

/** state -> states it may move to. */
export const APPROVAL_TRANSITIONS: Readonly<Record<ApprovalState, readonly ApprovalState[]>> = {
  pending: ['approved', 'rejected', 'expired'],
  approved: ['used'],
  rejected: [],
  expired: [],
  used: [],
};

/** A move the table does not allow (approving an expired request, approving twice…). */
export class ApprovalTransitionError extends CodedError {
  constructor(readonly from: ApprovalState, readonly to: ApprovalState) {
    super(ErrorCode.IllegalTransition, `An approval request that is ${from} cannot become ${to}.`);
    this.name = 'ApprovalTransitionError';
  }
}

/** Throws ApprovalTransitionError unless the table allows `from` -> `to`. */
export function checkApprovalMove(from: ApprovalState, to: ApprovalState): void {
  if (!APPROVAL_TRANSITIONS[from].includes(to)) throw new ApprovalTransitionError(from, to);
}

/** Timeline events and effects written in the same transaction as an approval's change. */
export interface ApprovalRecord {
  incidentId: number;
  events: NewEvent[];
  effects: NewEffect[];
}

export interface Approval {
  id: number;
  runId: number;
  stepId: string;
  action: 'run' | 'retry';
  incidentId: number | null;
  fingerprint: string;
  requestedBy: string;
  requestedAt: Date;
  expiresAt: Date;
  state: ApprovalState;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export type NewApproval = Omit<Approval, 'id' | 'state' | 'decidedBy' | 'decidedAt'>;

export interface ApprovalStore {
  /** Stores a pending request; `record` (its timeline event, its message) in the same transaction. */
  createApproval(a: NewApproval, record?: (a: Approval) => ApprovalRecord): Promise<Approval>;
  getApproval(id: number): Promise<Approval | undefined>;
  /** Compare-and-set, with `record` in the same transaction; false (nothing written) when the approval was not in `from`. */
  moveApproval(id: number, from: ApprovalState, to: ApprovalState, by: string | null, at: Date, record?: ApprovalRecord): Promise<boolean>;
  /** Pending requests whose time ran out before `now`, oldest first. */
  overdue(now: Date, limit: number): Promise<Approval[]>;
}

export const approvalRef = (id: number) => `approval:${id}`;
const approvalIdOf = (refs: readonly string[]): number | undefined => {
  const r = refs.find((x) => /^approval:\d+$/.test(x));
  return r ? Number(r.slice('approval:'.length)) : undefined;
};

/** Why `approver` cannot approve `a` now (null: they can). Pure; permissions are checked apart. */
export function approvalProblem(a: Approval, ctx: { approver: string; now: Date; fingerprint: string }): string | null {
  if (a.state !== 'pending') return `This request is already ${a.state}${a.decidedBy ? ` (by ${person(a.decidedBy)})` : ''}.`;
  if (ctx.approver === a.requestedBy) return 'You asked for this step; a second responder must approve it.';
  if (ctx.now.getTime() > a.expiresAt.getTime()) return 'This request expired; ask again from the run card.';
  if (ctx.fingerprint !== a.fingerprint) return 'The step changed since it was requested; this approval no longer applies.';
  return null;
}

export interface GateDeps {
  policy: RunPolicy;
  approvals: ApprovalStore;
  clock: Clock;
  /** The incident of a run: its roles and whether its severity requires a second approval. */
  incident(id: number): Promise<(IncidentRoles & { requiresApproval: boolean }) | undefined>;
  /**
   * For a run outside any incident: an open incident of the runbook's system whose severity needs
   * a second approval (its key), if any. Then dangerous steps belong in that incident's thread.
   */
  openIncidentNeedingApproval?(runbookId: string): Promise<string | undefined>;
}

const forbid = (msg: string) => new CodedError(ErrorCode.Forbidden, msg);

/**
 * The engine's authorize hook: permissions for every action, and for dangerous steps on severities
 * that require it, a valid stored approval by another responder. Actors that are not Slack users
 * (the `opsroom run` CLI, `cli:<user>`) are not governed here.
 */
export function approvalGate(d: GateDeps): AuthorizeHook {
  return async ({ action, run, step, actor, confirmation }) => {
    if (!/^[UW][A-Z0-9]+$/.test(actor)) return;
    const incident = run.incidentId === null ? undefined : await d.incident(run.incidentId);
    // The runbook is named so a system's responders count only for that system's runbooks.
    const roles = incident ? { ...incident, runbookId: run.runbookId } : null;
    // Skipping a dangerous step is the responders' call too: diagnostics then run the checks after it.
    const dangerous = step.step.danger;
    const denied = await d.policy.check(actor, dangerous ? 'run_dangerous' : 'run', roles);
    if (denied) throw forbid(denied);
    if (dangerous && action !== 'skip' && run.incidentId === null) {
      // Otherwise one responder could run the restart alone beside a P1 that needs two.
      const open = await d.openIncidentNeedingApproval?.(run.runbookId);
      if (open) throw forbid(`${open} is open in this runbook's system and needs a second responder's approval: run this step from its thread.`);
    }
    if (!dangerous || action === 'skip' || !incident?.requiresApproval) return;
    await checkApproved(d, confirmation, run.id, step, actor, roles);
  };
}

async function checkApproved(d: GateDeps, c: Confirmation | undefined, runId: number, step: { stepId: string; step: Parameters<typeof stepFingerprint>[1] }, actor: string, roles: IncidentRoles | null): Promise<void> {
  const id = c ? approvalIdOf(c.refs) : undefined;
  const a = id === undefined ? undefined : await d.approvals.getApproval(id);
  if (!c?.approvedBy || !a) throw forbid(`Step ${step.stepId} needs a second responder's approval on this severity.`);
  if (a.state !== 'approved' || a.decidedBy !== c.approvedBy || a.requestedBy !== actor) throw forbid('The approval does not match this request.');
  if (a.runId !== runId || a.stepId !== step.stepId || a.fingerprint !== stepFingerprint(runId, step.step)) throw forbid('The approval was given for another command.');
  if (c.approvedBy === actor) throw forbid('A person cannot approve their own request.');
  if (a.decidedAt && a.decidedAt.getTime() > a.expiresAt.getTime()) throw forbid('The approval came after the request expired.');
  const denied = await d.policy.check(c.approvedBy, 'approve', roles, a.requestedBy);
  if (denied) throw forbid(denied);
}
