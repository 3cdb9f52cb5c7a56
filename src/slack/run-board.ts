/**
 * The run board: watches the engine and keeps Slack in step — the run card (edited in place), one
 * live output message per attempt (coalesced edits), and a timeline event for every step result.
 * Works from stored state, so after a restart it finds its cards again (chat refs).
 */
import { approvalRequired } from '#core/incidents/approval-rule.js';
import type { WebClient } from '@slack/web-api';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import type { IncidentService } from '#core/incidents/service.js';
import type { Severity } from '#core/incidents/severity.js';
import type { Clock, IncidentStore, Logger } from '#core/ports.js';
import type { LoadedRunbook } from '#core/runbooks/loader.js';
import type { RunEngine } from '#core/runs/engine.js';
import type { RunEvent } from '#core/runs/events.js';
import { checkCondition, statesOf } from '#core/runs/conditions.js';
import { diagnosticPlan, targetKey } from '#core/runs/expect.js';
import type { Attempt, Run, RunStore } from '#core/runs/ports.js';
import { cardText, code, escapeMrkdwn, runCard, type CardModel } from './blocks/run-card.js';
import { outputMessage, type OutputView } from './blocks/run-views.js';
import { stoppedBy } from '#core/runs/stops.js';
import { Coalescer, type CoalescerOptions, retryAfterMs, TailBuffer } from './output-stream.js';
import { findPosted } from './posted.js';
import { outputKey, postOnce, runCardKey } from './run-posts.js';

/** Where a message was posted, by key (`run:<id>`, `out:<run>/<step>/<attempt>`); the store keeps them. */
interface ChatRefs {
  put(key: string, channel: string, ts: string): Promise<void>;
  get(key: string): Promise<{ channel: string; ts: string } | undefined>;
  /** The keys of the message at channel/ts. */
  keysOf(channel: string, ts: string): Promise<string[]>;
}

export interface BoardDeps {
  client: WebClient;
  engine: RunEngine;
  runs: RunStore;
  refs: ChatRefs;
  incidents: IncidentService;
  store: IncidentStore;
  severities: readonly Severity[];
  clock: Clock;
  runbook: (id: string) => LoadedRunbook | undefined;
  log: Logger;
  coalesce?: CoalescerOptions;
  /** The runbook's freshness for its card ("last verified …", "broken since … (why)"), when one was recorded. */
  freshnessOf?: (runbookId: string) => Promise<string | undefined>;
}

interface Live {
  view: OutputView;
  buffer: TailBuffer;
  coalescer: Coalescer;
  channel: string;
  threadTs: string;
  ts?: string;
  /** An earlier post of this message failed: it may be in Slack anyway (look before posting). */
  tried?: boolean;
  since: Date;
}

const approverOf = (a: Attempt | undefined) => a?.approvalRefs.find((r) => r.startsWith('approved:'))?.slice('approved:'.length) ?? null;

export class RunBoard {
  private readonly cards = new Map<number, Coalescer>();
  private readonly live = new Map<string, Live>();
  private off: (() => void) | undefined;

  constructor(private readonly d: BoardDeps) {}

  start(): void {
    this.off = this.d.engine.subscribe((e) => void this.on(e).catch((err) => this.d.log.warn({ error: String(err?.stack ?? err) }, 'run board failed')));
  }

  stop(): void {
    this.off?.();
  }

  /** Waits until every pending card and output edit has been sent. */
  async settle(): Promise<void> {
    await Promise.all([...this.cards.values(), ...[...this.live.values()].map((l) => l.coalescer)].map((c) => c.flush()));
  }

  /** Posts a run's card in the incident thread (an outbox effect) and remembers where it is. */
  async postCard(run: Run, incident: Incident, retry = false): Promise<void> {
    const m = await this.model(run.id);
    if (!m) return;
    if (!incident.cardTs) throw new Error('the incident card is not posted yet');
    // One try: the dispatcher retries (Retry-After, backoff); a retry first finds the card posted before.
    await postOnce({
      client: this.d.client, refs: this.d.refs, ref: `run:${run.id}`, channel: incident.channel, threadTs: incident.cardTs,
      key: runCardKey(run.id), since: run.createdAt, message: { text: cardText(m), blocks: runCard(m) }, lookFirst: retry, tries: 1,
    });
    // Events that arrived before the card existed are shown now.
    this.refresh(run.id);
  }

  /** Re-renders the card from stored state (coalesced). */
  refresh(runId: number): void {
    let c = this.cards.get(runId);
    if (!c) this.cards.set(runId, (c = new Coalescer({ ...this.d.coalesce, onError: (e) => this.d.log.warn({ runId, error: String(e) }, 'card update failed') })));
    c.set(async () => {
      const [ref, m] = await Promise.all([this.d.refs.get(`run:${runId}`), this.model(runId)]);
      if (!ref || !m) return;
      await this.d.client.chat.update({ channel: ref.channel, ts: ref.ts, text: cardText(m), blocks: runCard(m) });
    });
  }

  async model(runId: number): Promise<CardModel | undefined> {
    const run = await this.d.runs.getRun(runId);
    if (!run) return undefined;
    const [steps, attempts, incident] = await Promise.all([this.d.runs.steps(runId), this.d.runs.attempts(runId), run.incidentId === null ? undefined : this.d.store.get(run.incidentId)]);
    const rb = this.d.runbook(run.runbookId);
    const requiresApproval = incident ? approvalRequired(this.d.severities, incident.severity, await this.d.store.events(incident.id)) : false;
    const plan = new Set(diagnosticPlan(steps));
    const freshness = await this.d.freshnessOf?.(run.runbookId).catch(() => undefined);
    return {
      ...(freshness ? { freshness } : {}),
      runId, runbookId: run.runbookId, title: rb?.title ?? run.runbookId, incidentKey: incident ? incidentKey(incident.id) : null,
      severity: incident?.severity ?? null, requiresApproval, startedBy: run.startedBy, params: run.params,
      state: run.state, escalations: rb?.escalate ?? [],
      steps: steps.map((s) => {
        const last = attempts.filter((a) => a.stepId === s.stepId).at(-1);
        // A step whose `when:` is settled and does not hold will not run: shown skipped, with why.
        const when = s.step.when && (s.state === 'pending' || s.state === 'skipped') ? checkCondition(s.step.when, statesOf(steps)) : undefined;
        const ruledOut = when?.settled === true && !when.holds;
        return {
          stepId: s.stepId, title: s.step.title, state: ruledOut ? 'skipped' as const : s.state, target: last?.target ?? targetKey(s.step.command), dangerous: s.step.danger,
          manual: s.step.command.kind === 'manual', diagnostic: plan.has(s.stepId), attempts: s.attempts,
          durationMs: last?.durationMs ?? null, actor: s.skipped?.by ?? last?.actor ?? null, approvedBy: s.skipped ? null : approverOf(last),
          reason: s.skipped ? s.skipped.reason : ruledOut ? `skipped: ${when.reason}` : last?.error ?? null,
        };
      }),
    };
  }

  private async on(e: RunEvent): Promise<void> {
    if (e.type === 'run.created') return;
    // Output does not change the card: only output messages are edited while a step streams.
    if (e.type !== 'step.output') this.refresh(e.runId);
    if (e.type === 'step.started') return this.started(e);
    if (e.type === 'step.output') {
      const l = this.live.get(`${e.runId}/${e.stepId}/${e.attempt}`);
      if (!l) return;
      l.buffer.append(e.chunk);
      l.view.text = l.buffer.value;
      this.push(l);
      return;
    }
    if (e.type === 'step.finished') return this.finished(e);
    if (e.type === 'step.changed') return this.changed(e);
  }

  private async started(e: Extract<RunEvent, { type: 'step.started' }>): Promise<void> {
    const [ref, step] = await Promise.all([this.d.refs.get(`run:${e.runId}`), this.d.runs.getStep(e.runId, e.stepId)]);
    if (!step) return;
    const run = await this.d.runs.getRun(e.runId);
    const incident = run?.incidentId ? await this.d.store.get(run.incidentId) : undefined;
    // The run card may still be on its way (the outbox): output goes to the incident's thread anyway.
    const channel = ref?.channel ?? (incident?.cardTs ? incident.channel : undefined);
    const threadTs = incident?.cardTs ?? ref?.ts;
    if (!channel || !threadTs) return;
    const key = `${e.runId}/${e.stepId}/${e.attempt}`;
    const l: Live = {
      channel, threadTs, buffer: new TailBuffer(), since: e.at,
      coalescer: new Coalescer({ ...this.d.coalesce, onError: (err) => this.d.log.warn({ key, error: String(err) }, 'output update failed') }),
      view: { runId: e.runId, stepId: e.stepId, title: step.step.title, attempt: e.attempt, target: e.target, command: e.command, state: 'running', text: '', durationMs: null, exitCode: null, reason: null, droppedBytes: 0 },
    };
    this.live.set(key, l);
    this.push(l);
  }

  /**
   * Live output is edited directly, not through the outbox: edits are coalesced and each carries
   * the whole tail, so a lost intermediate edit is harmless and the next one repairs it.
   */
  private push(l: Live): void {
    l.coalescer.set(async () => {
      const msg = outputMessage(l.view);
      if (l.ts) {
        await this.d.client.chat.update({ channel: l.channel, ts: l.ts, text: msg.text, blocks: msg.blocks });
        return;
      }
      const { runId, stepId, attempt } = l.view;
      // The coalescer retries a failed post; one that failed other than by a rate limit may be in Slack.
      l.ts = await postOnce({
        client: this.d.client, refs: this.d.refs, ref: `out:${runId}/${stepId}/${attempt}`, channel: l.channel, threadTs: l.threadTs,
        key: outputKey(runId, stepId, attempt), since: l.since, message: msg, lookFirst: l.tried, tries: 1,
      }).catch((err: unknown) => {
        if (retryAfterMs(err) === undefined) l.tried = true;
        throw err;
      });
    });
  }

  private async finished(e: Extract<RunEvent, { type: 'step.finished' }>): Promise<void> {
    const key = `${e.runId}/${e.stepId}/${e.attempt}`;
    const l = this.live.get(key);
    if (l) {
      Object.assign(l.view, { state: e.state, text: e.output.text, durationMs: e.durationMs, exitCode: e.exitCode, reason: e.reason, droppedBytes: e.output.droppedBytes });
      this.push(l);
      void l.coalescer.flush().then(() => {
        if (this.live.get(key) === l) this.live.delete(key);
      });
    }
    const run = await this.d.runs.getRun(e.runId);
    const attempt = (await this.d.runs.attempts(e.runId, e.stepId)).find((a) => a.number === e.attempt);
    if (!run?.incidentId || !attempt) return;
    const approved = approverOf(attempt);
    const by = e.state === 'interrupted' ? stoppedBy(e.reason) : undefined;
    const tries = e.tries !== undefined && e.tries > 1 ? ` after ${e.tries} tries` : '';
    const how = by ? `stopped by <@${by}> after ${(e.durationMs / 1000).toFixed(1)} s` : `${e.state.replace('_', ' ')}${tries} in ${(e.durationMs / 1000).toFixed(1)} s${e.exitCode !== null ? `, exit ${e.exitCode}` : ''}`;
    await this.d.incidents.record(run.incidentId, {
      at: attempt.finishedAt ?? this.d.clock.now(), actor: by ?? attempt.actor, kind: 'step',
      text: `${code(e.stepId)} on ${code(attempt.target)}: ${how}${approved ? ` (approved by <@${approved}>)` : ''} — ${code(attempt.command.slice(0, 300))}${e.reason && e.state !== 'succeeded' && !by ? ` — ${escapeMrkdwn(e.reason.slice(0, 200))}` : ''}`,
      data: { runId: e.runId, ...(by ? { stoppedBy: by, startedBy: attempt.actor } : {}), runbookId: run.runbookId, stepId: e.stepId, attempt: e.attempt, target: attempt.target, command: attempt.command, state: e.state, exitCode: e.exitCode, durationMs: e.durationMs, approvedBy: approved, ...(e.tries !== undefined ? { tries: e.tries } : {}) },
    });
  }

  /** Where an attempt's output message is: its ref, or (never recorded) found by its metadata. */
  private async outputRef(runId: number, stepId: string, attempt: Attempt): Promise<{ channel: string; ts: string } | undefined> {
    const key = `out:${runId}/${stepId}/${attempt.number}`;
    const known = await this.d.refs.get(key);
    if (known) return known;
    const card = await this.d.refs.get(`run:${runId}`);
    const run = await this.d.runs.getRun(runId);
    const incident = run?.incidentId ? await this.d.store.get(run.incidentId) : undefined;
    if (!card) return undefined;
    const threadTs = incident?.cardTs ?? card.ts;
    const ts = await findPosted(this.d.client, { channel: card.channel, threadTs }, outputKey(runId, stepId, attempt.number), attempt.startedAt);
    if (!ts) return undefined;
    await this.d.refs.put(key, card.channel, ts);
    return { channel: card.channel, ts };
  }

  private async changed(e: Extract<RunEvent, { type: 'step.changed' }>): Promise<void> {
    const run = await this.d.runs.getRun(e.runId);
    if (e.state === 'interrupted') {
      // After a restart: the output message of the lost attempt says so too.
      const attempt = (await this.d.runs.attempts(e.runId, e.stepId)).at(-1);
      const ref = attempt && (await this.outputRef(e.runId, e.stepId, attempt));
      const step = await this.d.runs.getStep(e.runId, e.stepId);
      if (attempt && ref && step) {
        const msg = outputMessage({ runId: e.runId, stepId: e.stepId, title: step.step.title, attempt: attempt.number, target: attempt.target, command: attempt.command, state: 'interrupted', text: attempt.output ?? '', durationMs: null, exitCode: null, reason: attempt.error, droppedBytes: 0 });
        await this.d.client.chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks }).catch((err) => this.d.log.warn({ error: String(err) }, 'output update failed'));
      }
    }
    if (!run?.incidentId || (e.state !== 'skipped' && e.state !== 'interrupted')) return;
    const text = e.state === 'skipped' ? `${code(e.stepId)} skipped` : `${code(e.stepId)} interrupted: opsroom stopped while it ran; nothing was re-run (Retry on the card)`;
    await this.d.incidents.record(run.incidentId, { at: this.d.clock.now(), actor: e.actor, kind: 'step', text, data: { runId: e.runId, runbookId: run.runbookId, stepId: e.stepId, state: e.state } });
  }
}
