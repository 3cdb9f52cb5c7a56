import type { App } from '@slack/bolt';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Incident } from '#core/incidents/incident.js';
import { isStatus } from '#core/incidents/status.js';
import { resolveModal, updateModal } from '#slack/blocks/modals.js';
import type { SlackDeps } from '#slack/deps.js';
import { Actions } from '#slack/ids.js';
import { clickedIncident, clickedWhere } from '../clicked.js';
import { tellError } from '../reply.js';
import type { ClickArgs } from '../types.js';

type CardAction = (d: SlackDeps, incident: Incident, args: ClickArgs) => Promise<unknown>;

const cardActions: Record<string, CardAction> = {
  [Actions.acknowledge]: (d, i, { body }) => d.incidents.acknowledge(i.id, body.user.id),
  [Actions.reopen]: (d, i, { body }) => d.incidents.reopen(i.id, body.user.id),
  [Actions.postUpdate]: (_d, i, { client, body }) => client.views.open({ trigger_id: body.trigger_id, view: updateModal(i) }),
  [Actions.resolve]: (_d, i, { client, body }) => client.views.open({ trigger_id: body.trigger_id, view: resolveModal(i) }),
  [Actions.changeSeverity]: (d, i, { action, body }) => {
    const value = action.type === 'static_select' ? action.selected_option?.value ?? '' : '';
    // The menu's values are opsroom's levels, not the system's names.
    return d.incidents.setSeverity(i.id, body.user.id, value.split(':').pop() ?? '', { level: true });
  },
  [Actions.changeStatus]: (d, i, { action, body }) => {
    const value = action.type === 'static_select' ? action.selected_option?.value ?? '' : '';
    if (value === i.status) return Promise.resolve();
    if (!isStatus(value) || value === 'resolved') throw new CodedError(ErrorCode.BadInput, 'Pick investigating, identified or monitoring; resolve with Resolve.');
    return d.incidents.setStatus(i.id, body.user.id, value);
  },
  [Actions.assignCommander]: (d, i, { action, body }) => {
    const user = action.type === 'users_select' ? action.selected_user : undefined;
    if (!user) throw new CodedError(ErrorCode.BadInput, 'Pick a user to make commander.');
    return d.incidents.assign(i.id, body.user.id, user);
  },
};

/** The card's buttons: ack at once, find the incident, run the use-case, tell only the clicker on error. */
export function registerCardActions(app: App, d: SlackDeps) {
  for (const [actionId, run] of Object.entries(cardActions)) {
    app.action(actionId, async (args) => {
      const a = args as unknown as ClickArgs;
      await a.ack();
      try {
        await run(d, await clickedIncident(d.store, a.body), a);
      } catch (e) {
        await tellError(a.client, d.log, 'card action failed', clickedWhere(a.body, d.incidentChannel), e, { actionId });
      }
    });
  }
}
