import type { App, BlockAction } from '@slack/bolt';
import { CodedError, ErrorCode } from '#core/errors.js';
import { escalateModal, escalationChoice } from '#slack/blocks/escalate.js';
import type { SlackDeps } from '#slack/deps.js';
import { claimsOf } from '../once.js';
import { Actions, Inputs, Views } from '#slack/ids.js';
import { clickedIncident, clickedWhere } from '../clicked.js';
import { fieldError, tellError } from '../reply.js';
import type { ViewValues } from '../types.js';

/** The card's Escalate button: a modal to pick the target, then IncidentService.escalate (who is recorded). */
export function registerEscalate(app: App, d: SlackDeps) {
  const policies = d.escalationPolicies ?? [];

  app.action(Actions.escalate, async ({ ack, body, client }) => {
    await ack();
    const b = body as BlockAction;
    try {
      const incident = await clickedIncident(d.store, b);
      if (incident.status === 'resolved') throw new CodedError(ErrorCode.IllegalTransition, 'The incident is resolved. Reopen it first.');
      await client.views.open({ trigger_id: b.trigger_id, view: escalateModal(incident, policies) });
    } catch (e) {
      await tellError(client, d.log, 'escalate failed', clickedWhere(b, d.incidentChannel), e);
    }
  });

  app.view(Views.escalate, async ({ ack, body, view }) => {
    const v = view.state.values as ViewValues;
    const { incidentId } = JSON.parse(view.private_metadata || '{}') as { incidentId?: number };
    const to = escalationChoice(v[Inputs.escalateTo]?.[Inputs.escalateTo]?.selected_option?.value, policies);
    try {
      if (!to || typeof incidentId !== 'number') throw new CodedError(ErrorCode.BadInput, 'Pick where to escalate.');
      // One effect per view, even when it is submitted twice.
      await claimsOf(d).run(`view:${view.id}`, () => d.incidents.escalate(incidentId, body.user.id, to));
      await ack();
    } catch (e) {
      await ack(fieldError(d.log, 'escalate failed', e, Inputs.escalateTo));
    }
  });
}
