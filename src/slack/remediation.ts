/**
 * Remediation from Slack: the adapter behind /runbook, the suggestion and run-card buttons and the
 * modals. The use-cases live in core/runs (start-run, step-clicks, approval-flow, escalate-run);
 * this file gives them the timeline's words and turns their answers into messages and modals.
 */
import { createHash } from 'node:crypto';
import { CodedError, ErrorCode } from '#core/errors.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { isOpen } from '#core/incidents/status.js';
import type { Inventory } from '#core/inventory/schema.js';
import type { LoadedRunbook } from '#core/runbooks/loader.js';
import { suggest } from '#core/runbooks/suggest.js';
import { alertFirst } from '#core/alerts/suggest.js';
import type { Approval, ApprovalStore } from '#core/runs/approvals.js';
import { ApprovalFlow, type ApprovalLines } from '#core/runs/approval-flow.js';
import { escalateRun } from '#core/runs/escalate-run.js';
import { targetKey } from '#core/runs/expect.js';
import type { Escalator, Run, StepRun } from '#core/runs/ports.js';
import type { RunPolicy } from '#core/runs/permissions.js';
import { describeCommand } from '#core/runs/step-runner.js';
import { RunContext, type Loaded } from '#core/runs/run-context.js';
import { mayStart, startRun, type StartLines, type StartRunDeps } from '#core/runs/start-run.js';
import { StepClicks, type StepLines } from '#core/runs/step-clicks.js';
import { said } from '#core/said.js';
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

/** The timeline's lines for approval facts. */
const approvalLines: ApprovalLines = {
  requested: (a, w) => `asked a second responder to approve ${code(a.stepId)} on ${code(w.target)}: ${code(w.command.slice(0, 300))} (request ${a.id}, expires in ${w.minutes} min)`,
  approved: (a, target) => `approved <@${a.requestedBy}>'s request ${a.id} to run ${code(a.stepId)} on ${code(target)}`,
  rejected: (a, why, withdrawn) => `${withdrawn ? 'withdrawn' : 'rejected'} request ${a.id} to run ${code(a.stepId)}${why ? `: ${said(why)}` : ''}`,
  expired: (a) => `request ${a.id} (${code(a.stepId)}) expired without approval`,
};

/** The timeline's lines for started runs and step facts. */
const runLines: StartLines & StepLines = {
  started: (rb, runId, shown) => `Started runbook ${code(rb.id)} ${escapeMrkdwn(rb.title)} (run ${runId})${shown ? ` with ${code(shown)}` : ''}`,
  skipped: (stepId, runId, reason) => `skipped step ${code(stepId)} of run ${runId}: ${said(reason)}`,
  confirmed: (stepId, target, command) => `confirmed dangerous step ${code(stepId)} on ${code(target)}: ${code(command)}`,
};

export class Remediation {
  /** Labels of alert incidents seen by suggestions, so missingParams (sync) counts `from: alert.labels.*`. */
  private readonly alertLabels = new Map<number, Record<string, string>>();

  /** Approval requests and decisions (core/runs/approval-flow.ts). */
  readonly flow: ApprovalFlow;
  /** The run loader, approval need and shown commands the use-cases share. */
  private readonly context: RunContext;
  private readonly steps: StepClicks;
  private readonly starting: StartRunDeps;

  constructor(readonly d: RemediationDeps) {
    this.context = new RunContext(d);
    this.flow = new ApprovalFlow({
      approvals: d.approvals, policy: d.policy, engine: d.engine, clock: d.clock, approvalMinutes: d.approvalMinutes,
      load: (runId, stepId, open) => this.load(runId, stepId, open), lines: approvalLines, kick: d.kick, log: d.log,
    });
    this.starting = { ...d, runbook: (id) => this.runbook(id), context: this.context, lines: runLines };
    this.steps = new StepClicks({ ...d, context: this.context, flow: this.flow, lines: runLines });
  }

  /** "last verified …" or "broken since … (why)" of the runbooks that have a record; none when it cannot be read. */
  async freshness(runbookIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.d.healthOf?.(runbookIds).catch(() => undefined);
    return new Map([...(rows ?? new Map<string, RunbookHealth>()).values()].map((h) => [h.runbookId, freshnessText(h)]));
  }

  runbook(id: string): LoadedRunbook | undefined {
    return this.d.catalog().find((r) => r.id === id);
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
    if (await this.context.needsApproval(incident)) {
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
  mayStart(incident: Incident, user: string): Promise<void> {
    return mayStart(this.d, incident, user);
  }

  start(incident: Incident, runbookId: string, given: Record<string, string>, user: string): Promise<Run> {
    return startRun(this.starting, incident, runbookId, given, user);
  }

  /** The run, its incident and a step. `open`: refuse when the incident is resolved (nothing runs then). */
  load(runId: number, stepId?: string, open = false): Promise<Loaded> {
    return this.context.load(runId, stepId, open);
  }

  /**
   * Run, Retry or Skip on the card. A dangerous run or retry returns the confirmation modal to open
   * (after checking the clicker may run dangerous steps); anything else starts at once.
   */
  async clickStep(user: string, runId: number, stepId: string, action: Action): Promise<{ modal?: Modal }> {
    const o = await this.steps.click(user, runId, stepId, action);
    if (o.kind === 'ask_skip') return { modal: skipModal(o.runId, o.stepId, o.title) };
    if (o.kind === 'ask_confirm') return { modal: confirmModal(o.step) };
    return {};
  }

  /** The skip form was submitted: skipped, with who and why on the card and the timeline. */
  skip(user: string, runId: number, stepId: string, reason: string): Promise<void> {
    return this.steps.skip(user, runId, stepId, reason);
  }

  /** The confirmation modal was submitted: run now, or ask a second responder first. */
  confirm(user: string, meta: { runId: number; stepId: string; action: 'run' | 'retry'; fingerprint: string }): Promise<'started' | 'requested'> {
    return this.steps.confirm(user, meta);
  }

  /** What an approval request shows (`outcome` once decided). */
  approvalView(a: Approval, s: StepRun, run: Run, outcome?: string) {
    return { id: a.id, requestedBy: a.requestedBy, title: s.step.title, stepId: s.stepId, target: targetKey(s.step.command), command: this.context.shown(run.id, describeCommand(s.step.command)), params: run.params, expiresAt: a.expiresAt, outcome };
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

  diagnostics(user: string, runId: number): Promise<void> {
    return this.steps.diagnostics(user, runId);
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
