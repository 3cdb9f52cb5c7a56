/**
 * The picker of "Add to incident timeline" (a message from outside the incident's thread), and
 * what "Declare incident" keeps of the message it was used on.
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { TimelineMessages } from '#core/incidents/messages.js';
import type { OpenInput } from '#core/incidents/service.js';
import { isOpen } from '#core/incidents/status.js';
import { incidentKey } from '#core/incidents/incident.js';
import { addedLine, declaredLine, unpackMeta, type PickedMessage } from '#slack/blocks/timeline.js';
import type { SlackDeps } from '#slack/deps.js';
import { fieldError } from '../reply.js';
import { TimelineInputs, TimelineViews } from '#slack/ids.js';
import { permalinkOf, readableMessageText } from '#slack/message-text.js';
import type { ViewValues } from '../types.js';

/** The timeline entry and thread line of an incident declared from `from` (open's `declaredFrom`). */
export async function declaredFrom(client: WebClient, from: PickedMessage): Promise<OpenInput['declaredFrom']> {
  const [text, permalink] = await Promise.all([readableMessageText(client, from.t), permalinkOf(client, from.c, from.ts)]);
  return {
    message: { channel: from.c, ts: from.ts, threadTs: from.th ?? null, author: from.u, text, permalink },
    threadLine: declaredLine(from, permalink),
  };
}

export function registerTimelineViews(app: App, d: SlackDeps, messages: TimelineMessages) {
  app.view(TimelineViews.pick, async ({ ack, body, view, client }) => {
    const { from } = unpackMeta(view.private_metadata);
    const picked = (view.state.values as ViewValues)[TimelineInputs.incident]?.[TimelineInputs.incident]?.selected_option?.value;
    try {
      if (!from) throw new CodedError(ErrorCode.BadInput, 'This form lost the message it was opened on; use the shortcut on the message again.');
      const id = Number(picked);
      const incident = Number.isSafeInteger(id) ? await d.store.get(id) : undefined;
      if (!incident) throw new CodedError(ErrorCode.NotFound, 'Pick one of the listed incidents.');
      if (!isOpen(incident.status)) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(incident.id)} was resolved meanwhile; reopen it first or pick another.`);
      const [text, permalink] = await Promise.all([readableMessageText(client, from.t), permalinkOf(client, from.c, from.ts)]);
      const message = { channel: from.c, ts: from.ts, threadTs: from.th ?? null, author: from.u, text, permalink };
      const r = await messages.add(incident.id, message, { kind: 'timeline', actor: body.user.id, threadLine: addedLine(body.user.id, from, permalink, text) });
      if (!r.added) {
        await ack({ response_action: 'errors', errors: { [TimelineInputs.incident]: `That message is already on the timeline of ${incidentKey(incident.id)}.` } });
        return;
      }
      await ack();
    } catch (e) {
      await ack(fieldError(d.log, 'add to timeline failed', e, TimelineInputs.incident));
    }
  });
}
