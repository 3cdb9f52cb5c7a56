/**
 * Run cards, approval requests and suggestions leave through the outbox: the dispatcher hands their effects
 * here, in order with the incident's other messages, retrying on failure. A retry first finds the
 * message an earlier attempt posted (run-posts.ts), so nothing is posted twice.
 */
import type { Effect } from '../core/effects.js';
import type { Incident } from '../core/incidents/incident.js';
import { approvalMessage } from './blocks/run-views.js';
import { toDeliveryError } from './errors.js';
import type { Remediation } from './remediation.js';
import { approvalKey, postOnce } from './run-posts.js';

export const isRunEffect = (e: Effect): boolean => ['run.card', 'run.approval', 'run.suggest'].includes(e.payload.type);

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
