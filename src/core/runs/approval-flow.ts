/**
 * The approval use-cases: ask a second responder, approve, reject (or withdraw), expire. Every
 * state change goes through `transition`, which refuses a move the table does not allow, and is
 * stored with its timeline event and its message (an outbox effect) in one transaction.
 */
import type { ApprovalOutcome, NewEffect } from '../effects.js';
import { CodedError, ErrorCode, isCoded } from '../errors.js';
import type { Incident } from '../incidents/incident.js';
import type { NewEvent } from '../incidents/timeline.js';
import type { Clock, Logger } from '../ports.js';
import {
  approvalProblem, approvalRef, checkApprovalMove, type Approval, type ApprovalRecord, type ApprovalState, type ApprovalStore,
} from './approvals.js';
import { stepFingerprint } from './confirmation.js';
import type { RunEngine } from './engine.js';
import { targetKey } from './expect.js';
import { scrubDeep } from './known-secrets.js';
import type { RunPolicy } from './permissions.js';
import type { Run, StepRun } from './ports.js';
import type { Loaded } from './run-context.js';

/** The timeline's words for approval facts (the chat adapter renders them). */
export interface ApprovalLines {
  requested(a: Approval, what: { target: string; command: string; minutes: number }): string;
  approved(a: Approval, target: string): string;
  rejected(a: Approval, reason: string, withdrawn: boolean): string;
  expired(a: Approval): string;
}


export interface ApprovalFlowDeps {
  approvals: ApprovalStore;
  policy: RunPolicy;
  engine: Pick<RunEngine, 'startStep'>;
  clock: Clock;
  approvalMinutes: number;
  /** The run, its incident and a step; `open` refuses a resolved incident. */
  load(runId: number, stepId?: string, open?: boolean): Promise<Loaded>;
  lines: ApprovalLines;
  /** Tells the dispatcher new effects are stored. */
  kick?: () => void;
  log: Logger;
}

const forbid = (msg: string) => new CodedError(ErrorCode.Forbidden, msg);
/** A manual step is done when the person who clicks (or confirms) says so: the click is the confirmation. */
const doneByClick = { confirmManual: async () => true };
export const manualOf = (s: StepRun) => (s.step.command.kind === 'manual' ? doneByClick : {});

export class ApprovalFlow {
  constructor(private readonly d: ApprovalFlowDeps) {}

  async get(id: number): Promise<Approval> {
    const a = await this.d.approvals.getApproval(id);
    if (!a) throw new CodedError(ErrorCode.NotFound, 'There is no such approval request.');
    return a;
  }

  /**
   * The one way an approval changes state: refused (ApprovalTransitionError) unless the table
   * allows it; compare-and-set against `a.state`, with its event and outcome message in the same
   * transaction. False when someone else moved it first.
   */
  async transition(a: Approval, to: ApprovalState, by: string | null, at: Date, o: { event?: NewEvent; outcome?: ApprovalOutcome } = {}): Promise<boolean> {
    checkApprovalMove(a.state, to);
    const effects: NewEffect[] = o.outcome ? [{ target: 'chat', payload: { type: 'run.approval.settle', approvalId: a.id, outcome: o.outcome } }] : [];
    const record: ApprovalRecord | undefined = a.incidentId === null ? undefined : { incidentId: a.incidentId, events: o.event ? [scrubDeep(o.event)] : [], effects };
    const moved = await this.d.approvals.moveApproval(a.id, a.state, to, by, at, record);
    if (moved && effects.length) this.d.kick?.();
    return moved;
  }

  /** Stores a request with its timeline event and its message (posted by the outbox). */
  async request(user: string, run: Run, s: StepRun, incident: Incident, o: { action: 'run' | 'retry'; fingerprint: string; command: string }): Promise<Approval> {
    const now = this.d.clock.now();
    const target = targetKey(s.step.command);
    const a = await this.d.approvals.createApproval({
      runId: run.id, stepId: s.stepId, action: o.action, incidentId: incident.id, fingerprint: o.fingerprint, requestedBy: user,
      requestedAt: now, expiresAt: new Date(now.getTime() + this.d.approvalMinutes * 60_000),
    }, (a) => ({
      incidentId: incident.id,
      events: [scrubDeep({
        at: now, actor: user, kind: 'approval', text: this.d.lines.requested(a, { target, command: o.command, minutes: this.d.approvalMinutes }),
        data: { approvalId: a.id, runId: run.id, stepId: s.stepId, fingerprint: o.fingerprint },
      })],
      effects: [{ target: 'chat', payload: { type: 'run.approval', approvalId: a.id } }],
    }));
    this.d.kick?.();
    this.expireLater(a);
    return a;
  }

  async approve(user: string, approvalId: number): Promise<void> {
    const a = await this.get(approvalId);
    const { run, incident, step } = await this.d.load(a.runId, a.stepId, true);
    const now = this.d.clock.now();
    const problem = approvalProblem(a, { approver: user, now, fingerprint: stepFingerprint(run.id, step!.step) });
    if (problem) {
      if (a.state === 'pending' && now > a.expiresAt) await this.expire(a);
      throw forbid(problem);
    }
    const denied = await this.d.policy.check(user, 'approve', incident, a.requestedBy);
    if (denied) throw forbid(denied);
    const event: NewEvent = {
      at: now, actor: user, kind: 'approval', text: this.d.lines.approved(a, targetKey(step!.step.command)),
      data: { approvalId: a.id, requestedBy: a.requestedBy, approvedBy: user, fingerprint: a.fingerprint },
    };
    if (!(await this.transition(a, 'approved', user, now, { event }))) throw new CodedError(ErrorCode.Conflict, 'Someone else decided this request first.');
    const approved: Approval = { ...a, state: 'approved', decidedBy: user, decidedAt: now };
    try {
      const started = await this.d.engine.startStep(a.runId, a.stepId, { actor: a.requestedBy, confirmation: { confirmedBy: a.requestedBy, approvedBy: user, refs: [approvalRef(a.id)], fingerprint: a.fingerprint }, ...manualOf(step!) }, a.action);
      void started.done;
    } catch (e) {
      const error = isCoded(e) ? { error: { code: e.code, message: e.marked } } : {};
      await this.transition(approved, 'used', null, now, { outcome: { kind: 'not_started', by: user, ...error } });
      throw e;
    }
    await this.transition(approved, 'used', null, now, { outcome: { kind: 'approved', by: user } });
  }

  /** Who may reject: the requester (withdrawing it) or someone who could approve it. Throws otherwise. */
  async mayReject(user: string, approvalId: number): Promise<Approval> {
    const a = await this.get(approvalId);
    if (a.state !== 'pending') throw new CodedError(ErrorCode.Conflict, `This request is already ${a.state}.`);
    if (user !== a.requestedBy) {
      const { incident } = await this.d.load(a.runId);
      const denied = await this.d.policy.check(user, 'approve', incident, a.requestedBy);
      if (denied) throw forbid(denied.replace('approve', 'reject'));
    }
    return a;
  }

  /** Rejects (or, by the requester, withdraws) a pending request, with the reason on the message and the timeline. */
  async reject(user: string, approvalId: number, reason: string): Promise<void> {
    const a = await this.mayReject(user, approvalId);
    const why = reason.trim().slice(0, 500);
    const now = this.d.clock.now();
    const withdrawn = user === a.requestedBy;
    const event: NewEvent = { at: now, actor: user, kind: 'approval', text: this.d.lines.rejected(a, why, withdrawn), data: { approvalId: a.id, reason: why || null } };
    const outcome: ApprovalOutcome = { kind: withdrawn ? 'withdrawn' : 'rejected', by: user, ...(why ? { reason: why } : {}) };
    if (!(await this.transition(a, 'rejected', user, now, { event, outcome }))) throw new CodedError(ErrorCode.Conflict, `This request is already ${(await this.d.approvals.getApproval(a.id))?.state}.`);
  }

  /** Expires every request whose time ran out, whichever replica posted it (run under a lease). */
  async expireDue(): Promise<number> {
    const overdue = await this.d.approvals.overdue(this.d.clock.now(), 100);
    for (const a of overdue) await this.expire(a);
    return overdue.length;
  }

  /** Takes the buttons off a request nobody decided in time (this process only; a click says so too). */
  private expireLater(a: Approval): void {
    const timer = setTimeout(() => void this.expire(a).catch((e) => this.d.log.warn({ error: String(e) }, 'approval expiry failed')), a.expiresAt.getTime() - this.d.clock.now().getTime() + 1000);
    timer.unref();
  }

  private async expire(a: Approval): Promise<void> {
    const now = this.d.clock.now();
    if (now <= a.expiresAt || a.state !== 'pending') return;
    const event: NewEvent = { at: now, actor: 'opsroom', kind: 'approval', text: this.d.lines.expired(a), data: { approvalId: a.id } };
    await this.transition(a, 'expired', null, now, { event, outcome: { kind: 'expired' } });
  }
}
