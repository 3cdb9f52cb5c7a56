/**
 * Remediation from Slack: the use-cases behind /runbook, the suggestion and run-card buttons and the
 * modals. Every permission question is about the user of the signed payload (passed in by the
 * listener), never about a button's value; the engine's authorize hook checks again.
 */
import { createHash } from 'node:crypto';
import { CodedError, ErrorCode } from '#core/errors.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { isOpen } from '#core/incidents/status.js';
import type { Inventory } from '#core/inventory/schema.js';
import type { LoadedRunbook } from '#core/runbooks/loader.js';
import { approvalRequired } from '#core/incidents/approval-rule.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { suggest } from '#core/runbooks/suggest.js';
import { alertFirst } from '#core/alerts/suggest.js';
import type { Approval, ApprovalStore } from '#core/runs/approvals.js';
import { ApprovalFlow, manualOf, type ApprovalLines } from '#core/runs/approval-flow.js';
import { escalateRun } from '#core/runs/escalate-run.js';
import { stepFingerprint } from '#core/runs/confirmation.js';
import { nextStepState } from '#core/runs/step-state.js';
import { targetKey } from '#core/runs/expect.js';
import type { Escalator, Run, StepRun } from '#core/runs/ports.js';
import type { RunPolicy } from '#core/runs/permissions.js';
import { describeCommand } from '#core/runs/step-runner.js';
import { Redactor } from '#core/runs/redact.js';
import { scrubDeep } from '#core/runs/known-secrets.js';
import type { NewEvent } from '#core/incidents/timeline.js';
import { said } from '#core/said.js';
import type { NewEffect } from '#core/effects.js';
import { confirmModal, fullOutputModal, skipModal, suggestionsMessage } from './blocks/run-views.js';
import type { Modal } from './blocks/kit.js';
import { code, escapeMrkdwn } from './blocks/run-card.js';
import type { BoardDeps, RunBoard } from './run-board.js';
import { findPosted } from './posted.js';
import { freshnessText, type RunbookHealth } from '#core/verify/freshness.js';
import { approvalKey, postOnce, suggestKey } from './run-posts.js';

export interface RemediationDeps extends BoardDeps {
  catalog: () => readonly LoadedRunbook[];
  inventory?: Inventory;
  env: Record<string, string | undefined>;
  /** Configured secret values (the inventory's `secrets`), hidden wherever a command is shown. */
  secrets: readonly string[];
  policy: RunPolicy;
  approvals: ApprovalStore;
  approvalMinutes: number;
  /** Takes the Escalate button: pages, or records on the timeline (see IncidentEscalator). */
  escalator: Escalator;
  board: RunBoard;
  /** Tells the dispatcher new effects are stored (run cards, approval requests and suggestions leave through the outbox). */
  kick?: () => void;
  /** The channel of a run that has no incident (a routine, `/runbook run` outside an incident); see slack/routine-runs.ts. */
  routineChannel?: (runId: number) => Promise<string | undefined>;
  /** The alert an incident came from (its runbook, its labels), when alert intake is on. */
  alertOf?: (incidentId: number) => Promise<{ runbook: string | null; labels: Record<string, string> } | undefined>;
  /** Each runbook's freshness from the last verify (core/verify), when one was recorded. */
  healthOf?: (runbookIds: readonly string[]) => Promise<Map<string, RunbookHealth>>;
}

type Action = 'run' | 'retry' | 'skip';
const forbid = (msg: string) => new CodedError(ErrorCode.Forbidden, msg);

/** The timeline's lines for approval facts. */
const approvalLines: ApprovalLines = {
  requested: (a, w) => `asked a second responder to approve ${code(a.stepId)} on ${code(w.target)}: ${code(w.command.slice(0, 300))} (request ${a.id}, expires in ${w.minutes} min)`,
  approved: (a, target) => `approved <@${a.requestedBy}>'s request ${a.id} to run ${code(a.stepId)} on ${code(target)}`,
  rejected: (a, why, withdrawn) => `${withdrawn ? 'withdrawn' : 'rejected'} request ${a.id} to run ${code(a.stepId)}${why ? `: ${said(why)}` : ''}`,
  expired: (a) => `request ${a.id} (${code(a.stepId)}) expired without approval`,
};

export class Remediation {
  /** Values of each run's secret parameters (memory only, as in the engine). */
  private readonly runSecrets = new Map<number, readonly string[]>();
  /** Labels of alert incidents seen by suggestions, so missingParams (sync) counts `from: alert.labels.*`. */
  private readonly alertLabels = new Map<number, Record<string, string>>();

  /** Approval requests and decisions (core/runs/approval-flow.ts). */
  readonly flow: ApprovalFlow;

  constructor(readonly d: RemediationDeps) {
    this.flow = new ApprovalFlow({
      approvals: d.approvals, policy: d.policy, engine: d.engine, clock: d.clock, approvalMinutes: d.approvalMinutes,
      load: (runId, stepId, open) => this.load(runId, stepId, open), lines: approvalLines, kick: d.kick, log: d.log,
    });
  }

  /** "last verified …" or "broken since … (why)" of the runbooks that have a record; none when it cannot be read. */
  async freshness(runbookIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.d.healthOf?.(runbookIds).catch(() => undefined);
    return new Map([...(rows ?? new Map<string, RunbookHealth>()).values()].map((h) => [h.runbookId, freshnessText(h)]));
  }

  /** A command as shown to people (modal, approval request): secrets hidden. */
  private shown(runId: number, text: string): string {
    return new Redactor({ secrets: [...this.d.secrets, ...(this.runSecrets.get(runId) ?? [])] }).redact(text);
  }

  runbook(id: string): LoadedRunbook | undefined {
    return this.d.catalog().find((r) => r.id === id);
  }

  /** Dangerous steps need a second responder: the severity needs it now, or did since the incident opened. */
  private async needsApproval(i: Incident | null): Promise<boolean> {
    // A run outside an incident has the lowest severity: a responder confirms, nobody else approves.
    if (!i) return false;
    return approvalRequired(this.d.severities, i.severity, await this.d.store.events(i.id));
  }

  /**
   * Queues the post of the matching runbooks (an outbox effect), once per (matches, severity):
   * nothing when that post is recorded already. True when queued.
   */
  async suggest(incident: Incident): Promise<boolean> {
    const s = await this.suggestions(incident);
    if (!s || (await this.d.refs.get(s.ref))) return false;
    await this.d.store.record(incident.id, [], [{ target: 'chat', payload: { type: 'run.suggest' } }]);
    this.d.kick?.();
    return true;
  }

  /**
   * Delivers a queued suggestion post: what matches now, unless it is posted already (its ref; on
   * a retry, the message an earlier attempt posted, found by its metadata). Queued posts go one at
   * a time per incident, so two never race.
   */
  async postSuggestions(incident: Incident, retry: boolean): Promise<void> {
    const s = await this.suggestions(incident);
    if (!s) return;
    await postOnce({
      client: this.d.client, refs: this.d.refs, ref: s.ref, channel: incident.channel, threadTs: incident.cardTs!,
      key: suggestKey(incident.id, s.sig), since: incident.createdAt, message: s.msg, lookFirst: retry, tries: 1,
    });
  }

  private async suggestions(incident: Incident) {
    if (!incident.cardTs || !isOpen(incident.status)) return undefined;
    const alert = await this.d.alertOf?.(incident.id);
    if (alert) this.alertLabels.set(incident.id, alert.labels);
    const matches = alertFirst(suggest(this.d.catalog(), incident, Number.POSITIVE_INFINITY), this.d.catalog(), alert?.runbook);
    const hits = matches.slice(0, 5);
    if (!hits.length) return undefined;
    const sig = createHash('sha256').update(`${hits.map((h) => h.runbook.id).join(',')}|${incident.severity}`).digest('hex').slice(0, 16);
    const ref = `suggest:${incident.id}:${sig}`;
    const health = await this.freshness(hits.map((h) => h.runbook.id));
    const msg = suggestionsMessage(incidentKey(incident.id), hits.map((h) => ({ id: h.runbook.id, title: h.runbook.title, description: h.runbook.description, keywords: h.runbook.match.keywords, matched: h.matched, freshness: health.get(h.runbook.id) })), matches.slice(5).map((h) => h.runbook.id));
    if (await this.needsApproval(incident)) {
      const now = this.d.severities.find((s) => s.id === incident.severity)?.requiresApproval;
      const text = now ? `${incident.severity}: dangerous steps need a second responder's approval.` : `Dangerous steps still need a second responder's approval: ${incidentKey(incident.id)} was more severe earlier.`;
      msg.blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
    }
    return { ref, sig, msg };
  }

  /** Required parameters with no value from the person, a default or the incident. */
  missingParams(rb: LoadedRunbook, given: Record<string, string>, incident: Incident): string[] {
    const fromIncident = { 'incident.service': incident.service, 'incident.severity': incident.severity, 'incident.title': incident.title } as Record<string, string | null>;
    return Object.entries(rb.params)
      .filter(([n, p]) => p.required && given[n] === undefined && p.default === undefined && !p.from?.startsWith('env.') && !(p.from && fromIncident[p.from]))
      .filter(([, p]) => !(p.from?.startsWith('alert.labels.') && this.alertLabels.get(incident.id)?.[p.from.slice('alert.labels.'.length)]))
      .map(([n]) => n);
  }

  /** Throws unless the person may start a runbook in this incident now (before any form opens). */
  async mayStart(incident: Incident, user: string): Promise<void> {
    if (!isOpen(incident.status)) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(incident.id)} is resolved; reopen it to run runbooks.`);
    const denied = await this.d.policy.check(user, 'run', incident);
    if (denied) throw forbid(denied);
  }

  async start(incident: Incident, runbookId: string, given: Record<string, string>, user: string): Promise<Run> {
    const rb = this.runbook(runbookId);
    if (!rb) throw new CodedError(ErrorCode.NotFound, `There is no runbook \`${runbookId}\`. \`/runbook list\` shows them.`);
    await this.mayStart(incident, user);
    const alert = await this.d.alertOf?.(incident.id);
    const rendered = renderRunbook(rb, given, { incident, env: this.d.env, ...(alert ? { alert: { labels: alert.labels } } : {}) }, this.d.inventory);
    const secret = new Set(Object.entries(rb.params).filter(([, p]) => p.secret || p.from?.startsWith('env.')).map(([n]) => n));
    const params = Object.fromEntries(Object.entries(rendered.params).map(([k, v]) => [k, secret.has(k) ? '[REDACTED]' : v]));
    const run = await this.d.engine.start({ runbookId: rb.id, incidentId: incident.id, params, startedBy: user, steps: rendered.steps }, { secrets: rendered.secrets });
    if (rendered.secrets.length) this.runSecrets.set(run.id, rendered.secrets);
    const shown = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
    await this.recordWith(incident.id, {
      at: this.d.clock.now(), actor: user, kind: 'run',
      text: `Started runbook ${code(rb.id)} ${escapeMrkdwn(rb.title)} (run ${run.id})${shown ? ` with ${code(shown)}` : ''}`, data: { runId: run.id, runbookId: rb.id, params },
    }, { target: 'chat', payload: { type: 'run.card', runId: run.id } });
    return run;
  }

  /** A timeline event and the message it posts, stored together (the outbox delivers it, retrying). */
  private async recordWith(incidentId: number, event: NewEvent, effect: NewEffect): Promise<void> {
    await this.d.store.record(incidentId, [scrubDeep(event)], [effect]);
    this.d.kick?.();
  }

  /** The run, its incident and a step. `open`: refuse when the incident is resolved (nothing runs then). */
  async load(runId: number, stepId?: string, open = false): Promise<{ run: Run; incident: Incident | null; step?: StepRun }> {
    const run = await this.d.runs.getRun(runId);
    const incident = run?.incidentId ? await this.d.store.get(run.incidentId) : undefined;
    const routine = run && run.incidentId === null && (await this.d.routineChannel?.(run.id)) !== undefined;
    if (!run || (!incident && !routine)) throw new CodedError(ErrorCode.NotFound, `There is no run ${runId} of an incident.`);
    if (!incident) return { run, incident: null, step: stepId === undefined ? undefined : await this.stepOf(runId, stepId) };
    if (open && !isOpen(incident.status)) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(incident.id)} is resolved; reopen it to run steps.`);
    if (stepId === undefined) return { run, incident };
    return { run, incident, step: await this.stepOf(runId, stepId) };
  }

  private async stepOf(runId: number, stepId: string): Promise<StepRun> {
    const step = await this.d.runs.getStep(runId, stepId);
    if (!step) throw new CodedError(ErrorCode.NotFound, `Run ${runId} has no step ${stepId}.`);
    return step;
  }

  /**
   * Run, Retry or Skip on the card. A dangerous run or retry returns the confirmation modal to open
   * (after checking the clicker may run dangerous steps); anything else starts at once.
   */
  async clickStep(user: string, runId: number, stepId: string, action: Action): Promise<{ modal?: Modal }> {
    const { incident, step } = await this.load(runId, stepId, true);
    if (action === 'skip') {
      // Skipping a dangerous step is the responders' call (the engine checks again); the form asks why.
      const denied = await this.d.policy.check(user, step!.step.danger ? 'run_dangerous' : 'run', incident);
      if (denied) throw forbid(denied);
      nextStepState(step!.state, 'skip');
      return { modal: skipModal(runId, stepId, step!.step.title) };
    }
    const s = step!;
    if (s.step.danger) {
      const denied = await this.d.policy.check(user, 'run_dangerous', incident);
      if (denied) throw forbid(denied);
      if (action === 'run' && s.state !== 'pending') throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is ${s.state.replace('_', ' ')}.`);
      const needsApproval = await this.needsApproval(incident);
      return {
        modal: confirmModal({
          runId, stepId, action, title: s.step.title, target: targetKey(s.step.command), command: this.shown(runId, describeCommand(s.step.command)),
          params: (await this.d.runs.getRun(runId))!.params, incidentKey: incident ? incidentKey(incident.id) : `run ${runId}`, severity: incident?.severity ?? 'outside an incident',
          needsApproval, approvalMinutes: this.d.approvalMinutes, fingerprint: stepFingerprint(runId, s.step),
        }),
      };
    }
    const started = await this.d.engine.startStep(runId, stepId, { actor: user, ...manualOf(s) }, action);
    void started.done;
    return {};
  }

  /** The skip form was submitted: skipped, with who and why on the card and the timeline. */
  async skip(user: string, runId: number, stepId: string, reason: string): Promise<void> {
    const { incident } = await this.load(runId, stepId, true);
    const s = await this.d.engine.skip(runId, stepId, user, reason);
    if (incident) await this.d.incidents.record(incident.id, { at: this.d.clock.now(), actor: user, kind: 'step', text: `skipped step ${code(stepId)} of run ${runId}: ${said(s.skipped?.reason ?? '')}`, data: { runId, stepId, reason: s.skipped?.reason ?? null } });
  }

  /** The confirmation modal was submitted: run now, or ask a second responder first. */
  async confirm(user: string, meta: { runId: number; stepId: string; action: 'run' | 'retry'; fingerprint: string }): Promise<'started' | 'requested'> {
    const { run, incident, step } = await this.load(meta.runId, meta.stepId, true);
    const s = step!;
    const fingerprint = stepFingerprint(run.id, s.step);
    if (fingerprint !== meta.fingerprint) throw forbid('The step changed since the confirmation opened; open it again.');
    const denied = await this.d.policy.check(user, 'run_dangerous', incident);
    if (denied) throw forbid(denied);
    const command = this.shown(run.id, describeCommand(s.step.command));
    const target = targetKey(s.step.command);
    if (!incident || !(await this.needsApproval(incident))) {
      const started = await this.d.engine.startStep(run.id, s.stepId, { actor: user, confirmation: { confirmedBy: user, refs: ['slack:confirmed'], fingerprint }, ...manualOf(s) }, meta.action);
      void started.done;
      if (incident) await this.d.incidents.record(incident.id, { at: this.d.clock.now(), actor: user, kind: 'approval', text: `confirmed dangerous step ${code(s.stepId)} on ${code(target)}: ${code(command.slice(0, 300))}`, data: { runId: run.id, stepId: s.stepId, fingerprint } });
      return 'started';
    }
    await this.flow.request(user, run, s, incident, { action: meta.action, fingerprint, command });
    return 'requested';
  }

  /** What an approval request shows (`outcome` once decided). */
  approvalView(a: Approval, s: StepRun, run: Run, outcome?: string) {
    return { id: a.id, requestedBy: a.requestedBy, title: s.step.title, stepId: s.stepId, target: targetKey(s.step.command), command: this.shown(run.id, describeCommand(s.step.command)), params: run.params, expiresAt: a.expiresAt, outcome };
  }

  /** Where a request was posted: its ref, or (never recorded) found by its metadata. */
  async approvalRef(a: Approval, incident: Incident): Promise<{ channel: string; ts: string } | undefined> {
    const key = `approval:${a.id}`;
    const known = await this.d.refs.get(key);
    if (known) return known;
    const ts = await findPosted(this.d.client, { channel: incident.channel, threadTs: incident.cardTs ?? undefined }, approvalKey(a.id), a.requestedAt);
    if (!ts) return undefined;
    await this.d.refs.put(key, incident.channel, ts);
    return { channel: incident.channel, ts };
  }

  /** Expires every request whose time ran out, whichever replica posted it (run under a lease). */
  expireDue(): Promise<number> {
    return this.flow.expireDue();
  }

  approve(user: string, approvalId: number): Promise<void> {
    return this.flow.approve(user, approvalId);
  }

  /** Who may reject: the requester (withdrawing it) or someone who could approve it. Throws otherwise. */
  mayReject(user: string, approvalId: number): Promise<Approval> {
    return this.flow.mayReject(user, approvalId);
  }

  /** Rejects (or, by the requester, withdraws) a pending request, with the reason on the message and the timeline. */
  reject(user: string, approvalId: number, reason: string): Promise<void> {
    return this.flow.reject(user, approvalId, reason);
  }

  async diagnostics(user: string, runId: number): Promise<void> {
    const { incident } = await this.load(runId, undefined, true);
    const denied = await this.d.policy.check(user, 'run', incident);
    if (denied) throw forbid(denied);
    void this.d.engine.runDiagnostics(runId, { actor: user }).catch((e) => this.d.log.warn({ runId, error: String(e) }, 'diagnostics failed'));
  }

  escalate(user: string, runId: number): Promise<string> {
    return escalateRun({ ...this.d, load: (id) => this.load(id), runbook: (id) => this.runbook(id) }, user, runId);
  }

  async fullOutput(runId: number, stepId: string, attempt: number): Promise<Modal> {
    const a = (await this.d.runs.attempts(runId, stepId)).find((x) => x.number === attempt);
    if (!a) throw new CodedError(ErrorCode.NotFound, 'That output is gone.');
    const dropped = a.outputDroppedBytes ? `\n[${a.outputDroppedBytes} bytes from the middle were not kept]` : '';
    return fullOutputModal(`${stepId} #${attempt}`, (a.output ?? '') + dropped);
  }

  /** A refused click: recorded on the incident's timeline (the audit), then shown to the person. */
  async refused(user: string, incidentId: number | undefined, what: string, reason: string): Promise<void> {
    if (incidentId === undefined) return;
    await this.d.incidents.record(incidentId, { at: this.d.clock.now(), actor: user, kind: 'denial', text: `refused ${what}: ${reason}`, data: { what, reason } })
      .catch((e) => this.d.log.warn({ error: String(e) }, 'denial record failed'));
  }
}
