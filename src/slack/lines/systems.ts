/** Systems' thread lines and notices as mrkdwn. */
import { incidentKey } from '#core/incidents/incident.js';
import { said } from '#core/said.js';
import type { SystemLine, SystemNotice } from '#core/systems/lines.js';
import { type Renderers, user, userOrGroup } from './render.js';

// A stored system may come from an alert's label: someone else's words.
const was = (from: string | null) => (from === null ? 'no system' : said(from));

export const systemLines: Renderers<SystemLine> = {
  oncall: (l) => `:bell: ${said(l.system)} on call: ${l.oncall.map(userOrGroup).join(' ')}`,
  moved: (l) => `:twisted_rightwards_arrows: ${user(l.actor)} moved this incident from ${was(l.from)} to *${l.to}*.`,
};

export const systemNotices: Renderers<SystemNotice> = {
  'announce-opened': (l) => `:rotating_light: ${l.label} incident in ${said(l.system)}: ${said(l.title)}`,
  'announce-raised': (l) => `:warning: ${incidentKey(l.incidentId)} in ${said(l.system)} is now ${l.label}: ${said(l.title)}`,
  'moved-here': (l) =>
    `:twisted_rightwards_arrows: ${incidentKey(l.incidentId)} (${l.label}) moved here from ${was(l.from)}: ${said(l.title)}. Its thread stays where it opened.`,
  'announce-moved': (l) => `:rotating_light: ${l.label} incident in ${l.to} (moved from ${was(l.from)}): ${said(l.title)}`,
};
