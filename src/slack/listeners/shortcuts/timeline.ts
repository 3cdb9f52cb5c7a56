/**
 * Message shortcuts. "Add to incident timeline": a message in an incident's thread goes straight
 * to that incident's timeline; one elsewhere asks which open incident (a picker), and the thread
 * gets a line with a link to it. "Declare incident": the open form, prefilled from the message,
 * linked back to it on the timeline and in the thread (see views/timeline.ts).
 */
import type { AllMiddlewareArgs, App, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { TimelineMessages } from '#core/incidents/messages.js';
import { incidentKey } from '#core/incidents/incident.js';
import { scrubTyped } from '#core/runs/known-secrets.js';
import { declareModal, pickIncidentModal, type PickedMessage } from '#slack/blocks/timeline.js';
import type { SlackDeps } from '#slack/deps.js';
import { errorReply } from '../reply.js';
import { Shortcuts } from '#slack/ids.js';
import { permalinkOf, plainMessageText, readableMessageText } from '#slack/message-text.js';

type Args = SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs;

/** The message a shortcut was used on; its text scrubbed of secrets before it goes anywhere (views, metadata). */
function pickedMessage(s: MessageShortcut): PickedMessage {
  const m = s.message;
  const th = typeof m.thread_ts === 'string' && m.thread_ts !== m.ts ? m.thread_ts : undefined;
  return { c: s.channel.id, ts: m.ts ?? s.message_ts, ...(th ? { th } : {}), u: m.user ?? m.bot_id ?? 'unknown', t: scrubTyped(m.text ?? '') };
}

async function addToTimeline(d: SlackDeps, messages: TimelineMessages, { shortcut, client, respond }: Args) {
  const from = pickedMessage(shortcut);
  // The card itself, or a reply in its thread, in whichever channel the incident lives.
  const incident = await d.store.findByThread(from.c, from.th ?? from.ts);
  if (!incident) {
    const open = await d.store.listOpen();
    if (!open.length) {
      await respond({ response_type: 'ephemeral', text: 'There is no open incident to add this message to. `/incident open` declares one, or use *Declare incident* on the message.' });
      return;
    }
    await client.views.open({ trigger_id: shortcut.trigger_id, view: pickIncidentModal(open, plainMessageText(from.t), from) });
    return;
  }
  const [text, permalink] = await Promise.all([readableMessageText(client, from.t), permalinkOf(client, from.c, from.ts)]);
  const r = await messages.add(incident.id, { channel: from.c, ts: from.ts, threadTs: from.th ?? null, author: from.u, text, permalink }, { kind: 'timeline', actor: shortcut.user.id });
  const key = incidentKey(incident.id);
  await respond({
    response_type: 'ephemeral',
    text: r.added ? `:pushpin: Added to the timeline of *${key}*.` : `That message is already on the timeline of *${key}*.`,
  });
}

async function declare(d: SlackDeps, { shortcut, client }: Args) {
  const from = pickedMessage(shortcut);
  await client.views.open({ trigger_id: shortcut.trigger_id, view: declareModal(d.incidents.severities, shortcut.user.id, plainMessageText(from.t), from) });
}

export function registerShortcuts(app: App, d: SlackDeps, messages: TimelineMessages) {
  const handlers: Record<string, (a: Args) => Promise<void>> = {
    [Shortcuts.addToTimeline]: (a) => addToTimeline(d, messages, a),
    [Shortcuts.declare]: (a) => declare(d, a),
  };
  for (const [callbackId, run] of Object.entries(handlers)) {
    app.shortcut<MessageShortcut>({ callback_id: callbackId, type: 'message_action' }, async (args) => {
      const a = args as Args;
      await a.ack();
      try {
        await run(a);
      } catch (e) {
        await a.respond(errorReply(d.log, 'shortcut failed', e, { callbackId })).catch((err) => d.log.error({ error: String(err) }, 'shortcut reply failed'));
      }
    });
  }
}
