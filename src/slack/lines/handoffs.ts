/** Handoff lines as mrkdwn. */
import type { HandoffLine } from '#core/handoffs/lines.js';
import { incidentKey } from '#core/incidents/incident.js';
import { type Renderers, user, userOrGroup } from './render.js';

const who = (incoming: string | null) => (incoming ? user(incoming) : 'Incoming on-call');

const handoffLines: Renderers<HandoffLine> = {
  'handoff-accepted': (l) =>
    `:handshake: ${user(l.user)} accepted the handoff${l.moved.length ? ` and is now commander of ${l.moved.map(incidentKey).join(', ')}` : ''}.`,
  'handoff-reminder': (l) => `:alarm_clock: Reminder: please accept the handoff (${l.headline}).`,
  'handoff-not-accepted': (l) => `:alarm_clock: ${who(l.incoming)}, the handoff has not been accepted after ${l.minutes} min.`,
  'handoff-escalated': (l) =>
    `:rotating_light: ${l.to.length ? `${l.to.map(userOrGroup).join(' ')}: ` : ''}nobody has accepted the handoff (${l.headline}). ${who(l.incoming)} was reminded ${l.minutes} min ago.`,
};

/** A handoff line's text, with marks. */
export function renderHandoffLine(line: HandoffLine): string {
  const render = handoffLines[line.kind] as ((l: HandoffLine) => string) | undefined;
  if (!render) throw new Error(`no text for handoff line ${String(line.kind)}`);
  return render(line);
}
