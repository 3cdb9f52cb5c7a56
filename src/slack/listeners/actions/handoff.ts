import type { App } from '@slack/bolt';
import { CodedError, ErrorCode } from '#core/errors.js';
import { incidentKey } from '#core/incidents/incident.js';
import { acceptedBlocks, noteModal, type Block } from '#slack/blocks/handoff.js';
import { HandoffActions, HandoffViews } from '#slack/ids.js';
import type { HandoffSlackDeps } from '../commands/handoff.js';
import { clickedIncident, clickedMessage, clickedWhere } from '../clicked.js';
import { fieldError, tellError, tellOnly } from '../reply.js';
import type { ClickArgs } from '../types.js';


/** "Accept handoff" (the handoff comes from the clicked message, never the button's value) and "Add to handoff". */
export function registerHandoffActions(app: App, d: HandoffSlackDeps) {
  app.action(HandoffActions.accept, async (args) => {
    const a = args as unknown as ClickArgs;
    await a.ack();
    try {
      const { channel, ts } = clickedMessage(a.body);
      const h = channel && ts ? await d.handoffs.findByMessage(channel, ts) : undefined;
      if (!h) throw new CodedError(ErrorCode.NotFound, 'This message is not a known handoff.');
      const r = await d.handoffs.accept(h, a.body.user.id);
      if (!r.accepted) throw new CodedError(ErrorCode.Conflict, `<@${r.handoff.acceptedBy}> already accepted this handoff.`);
      const blocks = (a.body.message as { blocks?: Block[] } | undefined)?.blocks;
      if (channel && ts && blocks) {
        await a.client.chat.update({ channel, ts, text: 'Handoff accepted', blocks: acceptedBlocks(blocks, a.body.user.id, r.handoff.acceptedAt!) })
          .catch((err) => d.log.error({ error: String(err) }, 'handoff message update failed'));
      }
      const moved = r.moved.length ? ` You are now commander of ${r.moved.map(incidentKey).join(', ')}.` : '';
      await tellOnly(a.client, d.log, clickedWhere(a.body), `:handshake: You accepted the handoff.${moved}`);
    } catch (e) {
      await tellError(a.client, d.log, 'handoff accept failed', clickedWhere(a.body), e);
    }
  });

  app.action(HandoffActions.addNote, async (args) => {
    const a = args as unknown as ClickArgs;
    await a.ack();
    try {
      const incident = await clickedIncident(d.store, a.body);
      await a.client.views.open({ trigger_id: a.body.trigger_id, view: noteModal(incident.id) });
    } catch (e) {
      await tellError(a.client, d.log, 'add to handoff failed', clickedWhere(a.body), e);
    }
  });

  app.view(HandoffViews.note, async ({ ack, body, view }) => {
    const text = (view.state.values.note?.note?.value ?? '').trim();
    const meta = JSON.parse(view.private_metadata || '{}') as { incidentId?: number };
    if (!text) {
      await ack({ response_action: 'errors', errors: { note: 'Write the note.' } });
      return;
    }
    try {
      await d.handoffs.note(body.user.id, text, typeof meta.incidentId === 'number' ? meta.incidentId : null);
      await ack();
    } catch (e) {
      await ack(fieldError(d.log, 'handoff note failed', e, 'note'));
    }
  });
}
