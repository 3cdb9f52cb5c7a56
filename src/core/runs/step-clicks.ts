/**
 * The run card's step use-cases: Run / Retry / Skip clicks, the skip form, the confirmation of a
 * dangerous step (run now, or ask a second responder) and Run diagnostics. Every permission
 * question is about the user of the signed payload; the engine's authorize hook checks again.
 */
import { CodedError, ErrorCode } from '../errors.js';
import { incidentKey } from '../incidents/incident.js';
import type { Clock, Logger } from '../ports.js';
import { manualOf, type ApprovalFlow } from './approval-flow.js';
import { stepFingerprint } from './confirmation.js';
import type { RunEngine } from './engine.js';
import { targetKey } from './expect.js';
import { scrubDeep } from './known-secrets.js';
import type { RunPolicy } from './permissions.js';
import type { RunStore } from './ports.js';
import type { RunContext } from './run-context.js';
import { describeCommand } from './step-runner.js';
import { nextStepState } from './step-state.js';

/** The timeline's words for step facts (the chat adapter renders them). */
export interface StepLines {
  skipped(stepId: string, runId: number, reason: string): string;
  confirmed(stepId: string, target: string, command: string): string;
}

/** What the confirmation of a dangerous step shows before it runs. */
export interface DangerousStep {
  runId: number;
  stepId: string;
  action: 'run' | 'retry';
  title: string;
  target: string;
  command: string;
  params: Record<string, unknown>;
  incidentKey: string;
  severity: string;
  needsApproval: boolean;
  approvalMinutes: number;
  fingerprint: string;
}

/** A click's answer: ask why (skip), ask to confirm (dangerous), or started. */
export type ClickOutcome =
  | { kind: 'ask_skip'; runId: number; stepId: string; title: string }
  | { kind: 'ask_confirm'; step: DangerousStep }
  | { kind: 'started' };

export interface StepClicksDeps {
  context: RunContext;
  policy: RunPolicy;
  engine: Pick<RunEngine, 'startStep' | 'skip' | 'runDiagnostics'>;
  runs: Pick<RunStore, 'getRun'>;
  flow: Pick<ApprovalFlow, 'request'>;
  clock: Clock;
  approvalMinutes: number;
  lines: StepLines;
  log: Logger;
}

const forbid = (msg: string) => new CodedError(ErrorCode.Forbidden, msg);

export class StepClicks {
  constructor(private readonly d: StepClicksDeps) {}

  /**
   * Run, Retry or Skip on the card. A dangerous run or retry asks for a confirmation (after
   * checking the clicker may run dangerous steps); Skip asks why; anything else starts at once.
   */
  async click(user: string, runId: number, stepId: string, action: 'run' | 'retry' | 'skip'): Promise<ClickOutcome> {
    const { incident, step } = await this.d.context.load(runId, stepId, true);
    const s = step!;
    if (action === 'skip') {
      // Skipping a dangerous step is the responders' call (the engine checks again); the form asks why.
      const denied = await this.d.policy.check(user, s.step.danger ? 'run_dangerous' : 'run', incident);
      if (denied) throw forbid(denied);
      nextStepState(s.state, 'skip');
      return { kind: 'ask_skip', runId, stepId, title: s.step.title };
    }
    if (s.step.danger) {
      const denied = await this.d.policy.check(user, 'run_dangerous', incident);
      if (denied) throw forbid(denied);
      if (action === 'run' && s.state !== 'pending') throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is ${s.state.replace('_', ' ')}.`);
      const needsApproval = await this.d.context.needsApproval(incident);
      return {
        kind: 'ask_confirm',
        step: {
          runId, stepId, action, title: s.step.title, target: targetKey(s.step.command), command: this.d.context.shown(runId, describeCommand(s.step.command)),
          params: (await this.d.runs.getRun(runId))!.params, incidentKey: incident ? incidentKey(incident.id) : `run ${runId}`, severity: incident?.severity ?? 'outside an incident',
          needsApproval, approvalMinutes: this.d.approvalMinutes, fingerprint: stepFingerprint(runId, s.step),
        },
      };
    }
    const started = await this.d.engine.startStep(runId, stepId, { actor: user, ...manualOf(s) }, action);
    void started.done;
    return { kind: 'started' };
  }

  /** The skip form was submitted: skipped, with who and why on the card and the timeline. */
  async skip(user: string, runId: number, stepId: string, reason: string): Promise<void> {
    const { incident } = await this.d.context.load(runId, stepId, true);
    // The step's state and its timeline line are stored in one transaction.
    await this.d.engine.skip(runId, stepId, user, reason, (skipped) => incident ? {
      incidentId: incident.id, effects: [],
      events: [scrubDeep({ at: this.d.clock.now(), actor: user, kind: 'step', text: this.d.lines.skipped(stepId, runId, skipped.reason ?? ''), data: { runId, stepId, reason: skipped.reason } })],
    } : undefined);
  }

  /** The confirmation was submitted: run now, or ask a second responder first. */
  async confirm(user: string, meta: { runId: number; stepId: string; action: 'run' | 'retry'; fingerprint: string }): Promise<'started' | 'requested'> {
    const { run, incident, step } = await this.d.context.load(meta.runId, meta.stepId, true);
    const s = step!;
    const fingerprint = stepFingerprint(run.id, s.step);
    if (fingerprint !== meta.fingerprint) throw forbid('The step changed since the confirmation opened; open it again.');
    const denied = await this.d.policy.check(user, 'run_dangerous', incident);
    if (denied) throw forbid(denied);
    const command = this.d.context.shown(run.id, describeCommand(s.step.command));
    const target = targetKey(s.step.command);
    if (!incident || !(await this.d.context.needsApproval(incident))) {
      // The step's start and its "confirmed" line are stored in one transaction.
      const record = incident ? {
        incidentId: incident.id, effects: [],
        events: [scrubDeep({ at: this.d.clock.now(), actor: user, kind: 'approval' as const, text: this.d.lines.confirmed(s.stepId, target, command.slice(0, 300)), data: { runId: run.id, stepId: s.stepId, fingerprint } })],
      } : undefined;
      const started = await this.d.engine.startStep(run.id, s.stepId, { actor: user, confirmation: { confirmedBy: user, refs: ['slack:confirmed'], fingerprint }, ...manualOf(s), ...(record ? { record } : {}) }, meta.action);
      void started.done;
      return 'started';
    }
    await this.d.flow.request(user, run, s, incident, { action: meta.action, fingerprint, command });
    return 'requested';
  }

  /** Run diagnostics: every safe pending step, in order (the engine picks them); answers at once. */
  async diagnostics(user: string, runId: number): Promise<void> {
    const { incident } = await this.d.context.load(runId, undefined, true);
    const denied = await this.d.policy.check(user, 'run', incident);
    if (denied) throw forbid(denied);
    void this.d.engine.runDiagnostics(runId, { actor: user }).catch((e) => this.d.log.warn({ runId, error: String(e) }, 'diagnostics failed'));
  }
}
