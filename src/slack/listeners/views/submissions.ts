import type { App } from '@slack/bolt';
import { CodedError, ErrorCode, isCoded } from '#core/errors.js';
import { TITLE_MAX } from '#core/incidents/service.js';
import { isStatus } from '#core/incidents/status.js';
import { systemFor } from '#core/systems/incidents.js';
import type { SlackDeps } from '#slack/deps.js';
import { fieldError, fieldText } from '../reply.js';
import { claimsOf } from '../once.js';
import { Inputs, Views } from '#slack/ids.js';
import { unpackMeta, type PickedMessage } from '#slack/blocks/timeline.js';
import { declaredFrom } from './timeline.js';
import type { ViewValues } from '../types.js';

const field = (v: ViewValues, id: string): string | undefined => {
  const s = v[id]?.[id];
  return (s?.value ?? s?.selected_option?.value ?? s?.selected_user ?? undefined) || undefined;
};

/** Which input a use-case error belongs to, so the modal shows it next to the right field. */
function fieldOf(e: unknown, fallback: string): string {
  const msg = fieldText(e);
  if (isCoded(e, ErrorCode.BadInput) && /severity/i.test(msg)) return Inputs.severity;
  if (isCoded(e, ErrorCode.BadInput) && /title/i.test(msg)) return Inputs.title;
  if (isCoded(e, ErrorCode.BadInput) && /system/i.test(msg)) return Inputs.system;
  return fallback;
}

/** Modal submissions: validate, run once per view, answer with errors next to the inputs. */
export function registerSubmissions(app: App, d: SlackDeps) {
  app.view(Views.open, async ({ ack, body, view, client }) => {
    const v = view.state.values as ViewValues;
    const meta = unpackMeta(view.private_metadata) as { channel?: string; from?: PickedMessage };
    const input = {
      severity: field(v, Inputs.severity) ?? '', title: field(v, Inputs.title) ?? '',
      summary: field(v, Inputs.summary), service: field(v, Inputs.service), commander: field(v, Inputs.commander),
      // The menu offers opsroom's levels; the system menu the configured systems.
      system: field(v, Inputs.system) ?? null, severityIsLevel: true,
      openedBy: body.user.id, sourceChannel: meta.channel ?? d.incidentChannel,
    };
    const title = input.title.trim();
    if (!title || title.length > TITLE_MAX) {
      const error = title ? `Keep the title under ${TITLE_MAX} characters.` : 'Give the incident a title.';
      await ack({ response_action: 'errors', errors: { [Inputs.title]: error } });
      return;
    }
    try {
      d.incidents.severity(input.severity);
      systemFor(d.incidents.routing, input.system);
      // Declared from a message (a shortcut): the message is kept on the timeline with its link.
      const from = meta.from ? { declaredFrom: await declaredFrom(client, meta.from) } : {};
      // One effect per view, even when it is submitted twice.
      await claimsOf(d).run(`view:${view.id}`, () => d.incidents.open({ ...input, ...from }));
      await ack();
    } catch (e) {
      await ack(fieldError(d.log, 'open from modal failed', e, fieldOf(e, Inputs.title)));
    }
  });

  app.view(Views.update, async ({ ack, body, view }) => {
    const v = view.state.values as ViewValues;
    const { incidentId } = JSON.parse(view.private_metadata) as { incidentId: number };
    const status = field(v, Inputs.status);
    try {
      if (status && !isStatus(status)) throw new CodedError(ErrorCode.BadInput, `Unknown status ${status}.`);
      // One effect per view, even when it is submitted twice.
      await claimsOf(d).run(`view:${view.id}`, () => d.incidents.postUpdate(incidentId, body.user.id, field(v, Inputs.text) ?? '', status as never));
      await ack();
    } catch (e) {
      await ack(fieldError(d.log, 'update from modal failed', e, fieldOf(e, /status|move/i.test(String(e)) ? Inputs.status : Inputs.text)));
    }
  });

  app.view(Views.resolve, async ({ ack, body, view }) => {
    const v = view.state.values as ViewValues;
    const { incidentId } = JSON.parse(view.private_metadata) as { incidentId: number };
    try {
      // One effect per view, even when it is submitted twice.
      await claimsOf(d).run(`view:${view.id}`, () => d.incidents.resolve(incidentId, body.user.id, field(v, Inputs.summary) ?? null));
      await ack();
    } catch (e) {
      await ack(fieldError(d.log, 'resolve from modal failed', e, fieldOf(e, Inputs.summary)));
    }
  });
}
