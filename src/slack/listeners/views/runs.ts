/** Runbook modals: the parameters of a run to start, and the confirmation of a dangerous step. */
import type { App } from '@slack/bolt';
import { CodedError, ErrorCode, isCoded } from '#core/errors.js';
import { checkParamValue } from '#core/runbooks/params.js';
import type { SlackDeps } from '#slack/deps.js';
import type { Incident } from '#core/incidents/incident.js';
import { fieldError, tellError, type Where } from '../reply.js';
import { claimsOf } from '../once.js';
import { paramInput, RunViews } from '#slack/ids.js';
import type { ViewValues } from '../types.js';

const valueOf = (v: ViewValues, id: string): string | undefined => {
  const s = v[id]?.[id];
  const raw = s?.value ?? s?.selected_option?.value ?? undefined;
  return raw === null || raw === undefined || raw === '' ? undefined : raw;
};

/** The incident's thread, else `channel`: where the person reads an answer to a closed modal. */
const inThread = (user: string, incident: Incident | undefined, channel?: string): Where =>
  ({ user, channel: incident?.channel ?? channel, ...(incident?.cardTs ? { threadTs: incident.cardTs } : {}) });

export function registerRunViews(app: App, d: SlackDeps) {
  const r = d.runs;
  if (!r) return;

  app.view(RunViews.params, async ({ ack, body, view, client }) => {
    const meta = JSON.parse(view.private_metadata || '{}') as { incidentId?: number; runbookId?: string };
    const rb = meta.runbookId ? r.runbook(meta.runbookId) : undefined;
    const incident = typeof meta.incidentId === 'number' ? await d.store.get(meta.incidentId) : undefined;
    if (!rb || !incident) return void (await ack({ response_action: 'errors', errors: {} }));
    const v = view.state.values as ViewValues;
    const given: Record<string, string> = {};
    const errors: Record<string, string> = {};
    for (const [name, spec] of Object.entries(rb.params)) {
      const value = valueOf(v, paramInput(name));
      if (value === undefined) {
        if (spec.required && spec.default === undefined && !spec.from && paramInput(name) in v) errors[paramInput(name)] = 'Required.';
        continue;
      }
      const c = checkParamValue(spec, value);
      if ('error' in c) errors[paramInput(name)] = `The value ${c.error.replace(/, got .*$/, '')}.`;
      else given[name] = c.value;
    }
    if (Object.keys(errors).length) return void (await ack({ response_action: 'errors', errors }));
    // Refusals known before the run starts stay in the open form, next to its first field.
    try {
      await r.mayStart(incident, body.user.id);
    } catch (e) {
      if (isCoded(e, ErrorCode.Forbidden)) await r.refused(body.user.id, incident.id, 'start a runbook', e.message);
      const field = view.blocks.find((b) => b.type === 'input')?.block_id;
      if (field) return void (await ack(fieldError(d.log, 'start from modal refused', e, field)));
      await ack();
      return void (await tellError(client, d.log, 'start from modal refused', inThread(body.user.id, incident), e));
    }
    await ack();
    try {
      await claimsOf(d).run(`view:${view.id}`, () => r.start(incident, rb.id, given, body.user.id));
    } catch (e) {
      if (isCoded(e, ErrorCode.Forbidden)) await r.refused(body.user.id, incident.id, 'start a runbook', e.message);
      await tellError(client, d.log, 'start from modal failed', inThread(body.user.id, incident), e);
    }
  });

  app.view(RunViews.confirm, async ({ ack, body, view, client }) => {
    const meta = JSON.parse(view.private_metadata || '{}') as { runId: number; stepId: string; action: 'run' | 'retry'; fingerprint: string };
    await ack();
    const run = await r.d.runs.getRun(meta.runId);
    const incident = run?.incidentId ? await d.store.get(run.incidentId) : undefined;
    try {
      // r.confirm loads the run again: one of an incident, or one outside incidents (a routine).
      if (!run) throw new CodedError(ErrorCode.NotFound, 'That run is gone.');
      await claimsOf(d).run(`view:${view.id}`, () => r.confirm(body.user.id, meta));
    } catch (e) {
      if (isCoded(e, ErrorCode.Forbidden)) await r.refused(body.user.id, incident?.id, `run dangerous step ${meta.stepId}`, e.message);
      const routine = run && !incident ? await r.d.routineChannel?.(run.id) : undefined;
      await tellError(client, d.log, 'confirm failed', inThread(body.user.id, incident, routine ?? d.incidentChannel), e);
    }
  });

  app.view(RunViews.reject, async ({ ack, body, view, client }) => {
    const { approvalId } = JSON.parse(view.private_metadata || '{}') as { approvalId?: number };
    const reason = valueOf(view.state.values as ViewValues, 'reason')?.trim();
    if (!reason) return void (await ack({ response_action: 'errors', errors: { reason: 'Say why, in a few words.' } }));
    await ack();
    const a = typeof approvalId === 'number' ? await r.d.approvals.getApproval(approvalId) : undefined;
    const incident = a?.incidentId ? await d.store.get(a.incidentId) : undefined;
    try {
      if (!a) throw new CodedError(ErrorCode.NotFound, 'That approval request is gone.');
      await claimsOf(d).run(`view:${view.id}`, () => r.reject(body.user.id, a.id, reason));
    } catch (e) {
      if (isCoded(e, ErrorCode.Forbidden)) await r.refused(body.user.id, incident?.id, 'reject a dangerous step', e.message);
      await tellError(client, d.log, 'reject failed', inThread(body.user.id, incident, d.incidentChannel), e);
    }
  });

  app.view(RunViews.skip, async ({ ack, body, view, client }) => {
    const { runId, stepId } = JSON.parse(view.private_metadata || '{}') as { runId?: number; stepId?: string };
    const reason = valueOf(view.state.values as ViewValues, 'reason')?.trim();
    if (!reason) return void (await ack({ response_action: 'errors', errors: { reason: 'Say why, in a few words.' } }));
    await ack();
    const run = typeof runId === 'number' ? await r.d.runs.getRun(runId) : undefined;
    const incident = run?.incidentId ? await d.store.get(run.incidentId) : undefined;
    try {
      if (!run || typeof stepId !== 'string') throw new CodedError(ErrorCode.NotFound, 'That run is gone.');
      await claimsOf(d).run(`view:${view.id}`, () => r.skip(body.user.id, run.id, stepId, reason));
    } catch (e) {
      if (isCoded(e, ErrorCode.Forbidden)) await r.refused(body.user.id, incident?.id, `skip step ${stepId}`, e.message);
      const routine = run && !incident ? await r.d.routineChannel?.(run.id) : undefined;
      await tellError(client, d.log, 'skip failed', inThread(body.user.id, incident, routine ?? d.incidentChannel), e);
    }
  });
}
