/**
 * Buttons of runbook runs: Start (suggestions), Run/Skip/Retry (buttons, a step's menu or the
 * pickers of a long card) and Run diagnostics/Escalate (run card), Approve/Reject (approval
 * requests), Full output and Stop (output messages). Which run, approval or output a click
 * belongs to comes from the message it was clicked on (channel and ts, signed by Slack); a button
 * value that disagrees with its message is treated as tampering: refused and recorded.
 */
import type { App, ButtonAction } from '@slack/bolt';
import { CodedError, ErrorCode, isCoded } from '#core/errors.js';
import type { SlackDeps } from '#slack/deps.js';
import { RunActions } from '#slack/ids.js';
import { clickedMessage, clickedWhere } from '../clicked.js';
import { tellError } from '../reply.js';
import type { ClickArgs } from '../types.js';
import { claimsOf } from '../once.js';
import type { Once } from '#core/once.js';
import type { Remediation } from '#slack/remediation.js';
import { paramsModal, rejectModal } from '#slack/blocks/run-views.js';
import { refOfPosted } from '#slack/run-posts.js';
import { stopStep } from '#slack/run-stop.js';

type Picked = ButtonAction & { selected_option?: { value?: string } };
type Args = ClickArgs<Picked>;
interface Click {
  user: string;
  channel: string;
  ts: string;
  threadTs?: string;
  value: string;
  triggerId: string;
  /** Delivery claims (the double-click window of Start). */
  claims: Once;
  /** The claims forget a key after its window (delivery claims); else they keep it for good. */
  windowed: boolean;
  /** Set as soon as the incident is known, for the audit record of a refusal. */
  incidentId?: number;
}
type Handler = (r: Remediation, c: Click, a: Args) => Promise<void>;

const tampered = () => new CodedError(ErrorCode.Forbidden, 'This button does not belong to the message it is on.');

/** The id behind `prefix:<n>` for the clicked message. */
async function refOf(r: Remediation, c: Click, prefix: string): Promise<string> {
  const keys = await r.d.refs.keysOf(c.channel, c.ts);
  const key = keys.find((k) => k.startsWith(`${prefix}:`)) ?? (await adopted(r, c, prefix));
  if (!key) throw new CodedError(ErrorCode.NotFound, 'This message does not belong to a known run.');
  return key.slice(prefix.length + 1);
}

/**
 * A message opsroom posted whose ref was never recorded (the poster died after Slack answered):
 * Slack's copy says by its metadata what it is; recorded unless that key points elsewhere already.
 */
async function adopted(r: Remediation, c: Click, prefix: string): Promise<string | undefined> {
  const key = await refOfPosted(r.d.client, { channel: c.channel, ts: c.ts, threadTs: c.threadTs }).catch(() => undefined);
  if (!key?.startsWith(`${prefix}:`) || (await r.d.refs.get(key))) return undefined;
  await r.d.refs.put(key, c.channel, c.ts);
  return key;
}

/** The card's run (the message says which); the incident is noted for the audit record. */
async function cardRun(r: Remediation, c: Click): Promise<number> {
  const runId = Number(await refOf(r, c, 'run'));
  c.incidentId = (await r.d.runs.getRun(runId))?.incidentId ?? undefined;
  return runId;
}

/** The run of a card-wide button, whose value must be that run's id. */
async function cardButtonRun(r: Remediation, c: Click): Promise<number> {
  const runId = await cardRun(r, c);
  if (c.value !== String(runId)) throw tampered();
  return runId;
}

/** The approval request of the message, whose buttons carry its id. */
async function approvalOf(r: Remediation, c: Click): Promise<number> {
  const id = Number(await refOf(r, c, 'approval'));
  c.incidentId = (await r.d.approvals.getApproval(id))?.incidentId ?? undefined;
  if (c.value !== String(id)) throw tampered();
  return id;
}

/** The card's run, and the step the button names (its value must name this run). */
async function cardStep(r: Remediation, c: Click): Promise<{ runId: number; stepId: string }> {
  const runId = await cardRun(r, c);
  const m = /^(\d+):(.+)$/.exec(c.value);
  if (!m || Number(m[1]) !== runId) throw tampered();
  return { runId, stepId: m[2] };
}

const step = (action: 'run' | 'retry' | 'skip'): Handler => async (r, c, a) => {
  const { runId, stepId } = await cardStep(r, c);
  const { modal } = await r.clickStep(c.user, runId, stepId, action);
  if (modal) await a.client.views.open({ trigger_id: c.triggerId, view: modal });
};

/** A step's menu or a long card's picker: the option says the action, then as for its button. */
const picked: Handler = async (r, c, a) => {
  const m = /^(run|retry|skip|stop)\|(.+)$/.exec(c.value);
  if (!m) throw tampered();
  const byPosition = /^(\d+)#(\d+)$/.exec(m[2]);
  const stepId = byPosition && (await r.d.runs.steps(Number(byPosition[1])))[Number(byPosition[2])]?.stepId;
  c.value = byPosition ? `${byPosition[1]}:${stepId ?? ''}` : m[2];
  await (m[1] === 'stop' ? cardStop : step(m[1] as 'run' | 'retry' | 'skip'))(r, c, a);
};

/** Stop on the card: the step's current attempt. */
const cardStop: Handler = async (r, c) => {
  const { runId, stepId } = await cardStep(r, c);
  const s = await r.d.runs.getStep(runId, stepId);
  if (!s) throw new CodedError(ErrorCode.NotFound, `Run ${runId} has no step ${stepId}.`);
  await stopStep(r, c.user, runId, stepId, s.attempts);
};

/** Stop on an output message (its value names the message's attempt) or on the card (`<run>:<step>`). */
const stop: Handler = async (r, c, a) => {
  if (!/^\d+:[^:]+:\d+$/.test(c.value)) return cardStop(r, c, a);
  const [runId, stepId, attempt] = (await refOf(r, c, 'out')).split('/');
  c.incidentId = (await r.d.runs.getRun(Number(runId)))?.incidentId ?? undefined;
  if (c.value !== `${runId}:${stepId}:${attempt}`) throw tampered();
  await stopStep(r, c.user, Number(runId), stepId, Number(attempt));
};

const handlers: Record<string, [string, Handler]> = {
  [RunActions.start]: ['start a runbook', async (r, c, a) => {
    const incident = await r.d.store.findByThread(c.channel, c.threadTs ?? c.ts);
    if (!incident) throw new CodedError(ErrorCode.NotFound, 'This message is not in an incident thread.');
    c.incidentId = incident.id;
    const rb = r.runbook(c.value);
    if (!rb) throw new CodedError(ErrorCode.NotFound, `There is no runbook \`${c.value}\`.`);
    // A double click (or Slack retrying the click) starts one run, not two.
    // Delivery claims keep the key 10 s from the first click; permanent claims need a time bucket.
    const bucket = c.windowed ? '' : `:${Math.floor(r.d.clock.now().getTime() / 10_000)}`;
    await c.claims.run(`start:${incident.id}:${rb.id}:${c.user}${bucket}`, async () => {
      if (r.missingParams(rb, {}, incident).length) {
        await r.mayStart(incident, c.user);
        await a.client.views.open({ trigger_id: c.triggerId, view: paramsModal({ incidentId: incident.id, runbookId: rb.id }, rb.title, rb.params, {}) });
        return;
      }
      await r.start(incident, rb.id, {}, c.user);
    }, { keepMs: 10_000 });
  }],
  [RunActions.run]: ['run a step', step('run')],
  [RunActions.retry]: ['retry a step', step('retry')],
  [RunActions.skip]: ['skip a step', step('skip')],
  [RunActions.diagnostics]: ['run diagnostics', async (r, c) => r.diagnostics(c.user, await cardButtonRun(r, c))],
  [RunActions.escalate]: ['escalate', async (r, c) => void (await r.escalate(c.user, await cardButtonRun(r, c)))],
  [RunActions.approve]: ['approve a dangerous step', async (r, c) => r.approve(c.user, await approvalOf(r, c))],
  [RunActions.reject]: ['reject a dangerous step', async (r, c, a) => {
    const req = await r.mayReject(c.user, await approvalOf(r, c));
    await a.client.views.open({ trigger_id: c.triggerId, view: rejectModal(req.id, req.stepId, req.requestedBy === c.user) });
  }],
  [RunActions.fullOutput]: ['open the full output', async (r, c, a) => {
    const [runId, stepId, attempt] = (await refOf(r, c, 'out')).split('/');
    await a.client.views.open({ trigger_id: c.triggerId, view: await r.fullOutput(Number(runId), stepId, Number(attempt)) });
  }],
  [RunActions.stop]: ['stop a step', stop],
  [RunActions.stepMenu]: ['act on a step', picked],
};
/** The pickers of a long card: `run.step.pick.<n>`. */
const pickers = new RegExp(`^${RunActions.stepPick.replace(/\./g, '\\.')}\\.\\d+$`);

export function registerRunActions(app: App, d: SlackDeps) {
  const r = d.runs;
  if (!r) return;
  const entries: Array<[string | RegExp, [string, Handler]]> = [...Object.entries(handlers), [pickers, ['act on a step', picked]]];
  for (const [actionId, [what, run]] of entries) {
    app.action(actionId, async (args) => {
      const a = args as unknown as Args;
      await a.ack();
      const b = a.body;
      const clicked = clickedMessage(b);
      const where = clickedWhere(b, d.incidentChannel);
      const c: Click = {
        user: b.user.id, channel: clicked.channel ?? '', ts: clicked.ts ?? '', threadTs: where.threadTs,
        value: a.action.value ?? a.action.selected_option?.value ?? '', triggerId: b.trigger_id, claims: claimsOf(d), windowed: d.deliveries !== undefined,
      };
      try {
        await run(r, c, a);
      } catch (e) {
        if (isCoded(e, ErrorCode.Forbidden)) await r.refused(c.user, c.incidentId, what, e.message);
        await tellError(a.client, d.log, 'run action failed', where, e, { actionId: String(actionId) });
      }
    });
  }
}
