/**
 * Run cards, approval requests, their outcomes and suggestions leave through the outbox: the dispatcher hands their effects
 * here, in order with the incident's other messages, retrying on failure. A retry first finds the
 * message an earlier attempt posted (run-posts.ts), so nothing is posted twice.
 */
import type { ApprovalOutcome, Effect } from '#core/effects.js';
import { CodedError, type ErrorCode } from '#core/errors.js';
import type { Approval } from '#core/runs/approvals.js';
import type { Incident } from '#core/incidents/incident.js';
import { approvalMessage } from './blocks/run-views.js';
import { userText } from './blocks/mrkdwn.js';
import { codedText, toDeliveryError } from './errors.js';
import type { Remediation } from './remediation.js';
import { approvalKey, postOnce } from './run-posts.js';

export const RUN_EFFECTS = ['run.card', 'run.approval', 'run.approval.settle', 'run.suggest'] as const;

/** What a decided request's message says. */
function outcomeText(a: Approval, o: ApprovalOutcome): string {
  if (o.kind === 'expired') return ':hourglass: Expired unapproved; ask again from the run card.';
  if (o.kind === 'approved') return `:white_check_mark: Approved by <@${o.by}>; running as <@${a.requestedBy}>'s request.`;
  if (o.kind === 'not_started') return `:warning: Approved by <@${o.by}>, but it could not start: ${o.error ? codedText(new CodedError(o.error.code as ErrorCode, o.error.message)) : 'internal error'}`;
  const verb = o.kind === 'withdrawn' ? 'Withdrawn' : 'Rejected';
  return `:no_entry: ${verb} by <@${o.by}>${o.reason ? `: ${userText(o.reason, 500)}` : '.'}`;
}

/** A decided request's message gets its outcome, without buttons; one never posted shows it when it is. */
async function settle(r: Remediation, approvalId: number, outcome: ApprovalOutcome): Promise<void> {
  const a = await r.d.approvals.getApproval(approvalId);
  if (!a) return;
  const { run, step, incident } = await r.load(a.runId, a.stepId);
  // Approvals exist only for incidents (runs outside one never need a second responder).
  const ref = incident && (await r.approvalRef(a, incident));
  if (!ref) return;
  const msg = approvalMessage(r.approvalView(a, step!, run, outcomeText(a, outcome)));
  await r.d.client.chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks });
}

export async function deliverRunEffect(r: Remediation, effect: Effect, incident: Incident): Promise<void> {
  try {
    const p = effect.payload;
    const retry = effect.attempts > 0;
    if (p.type === 'run.card') {
      const run = await r.d.runs.getRun(p.runId);
      if (run) await r.d.board.postCard(run, incident, retry);
      return;
    }
    if (p.type === 'run.suggest') return await r.postSuggestions(incident, retry);
    if (p.type === 'run.approval.settle') return await settle(r, p.approvalId, p.outcome);
    if (p.type !== 'run.approval') throw new Error(`not a run effect: ${p.type}`);
    const a = await r.d.approvals.getApproval(p.approvalId);
    if (!a) return;
    const { run, step } = await r.load(a.runId, a.stepId);
    // Decided (or expired) before its message went out: posted with the outcome, without buttons.
    const outcome = a.state === 'pending' ? undefined : `This request is ${a.state}.`;
    await postOnce({
      client: r.d.client, refs: r.d.refs, ref: `approval:${a.id}`, channel: incident.channel, threadTs: incident.cardTs ?? undefined,
      key: approvalKey(a.id), since: a.requestedAt, message: approvalMessage(r.approvalView(a, step!, run, outcome)), lookFirst: retry, tries: 1,
    });
  } catch (e) {
    throw toDeliveryError(e);
  }
}
