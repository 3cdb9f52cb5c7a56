/** Alert thread lines as mrkdwn. */
import type { AlertSource } from '#core/alerts/alert.js';
import { clock } from '#core/alerts/describe.js';
import type { AlertLine, AlertNames, Flaps, ResolvedNote } from '#core/alerts/lines.js';
import { said } from '#core/said.js';
import { type Renderers, tick, user } from './render.js';

const sourceName = (s: AlertSource) => (s === 'alertmanager' ? 'Alertmanager' : 'Grafana');
const at = (ms: number) => clock(new Date(ms));

const listed = (a: AlertNames) => {
  const names = a.names.map(said).join(', ');
  return a.total > a.names.length ? `${names} and ${a.total - a.names.length} more` : names;
};

const flapped = (f: Flaps | null) => (f ? ` (changed ${f.changes} times since ${at(f.since)})` : '');

function note(n: ResolvedNote): string {
  if (n.kind === 'kept-open') return ` ${user(n.by)} reopened this incident, so it stays ${n.status}.`;
  if (n.kind === 'resolving') return ' Resolving the incident.';
  if (n.kind === 'none') return '';
  const later = n.resolvesAt !== null ? ` It resolves at ${at(n.resolvesAt)} if the alert stays quiet.` : '';
  return n.set ? ` Status: *monitoring*.${later}` : later;
}

export const alertLines: Renderers<AlertLine> = {
  'alert-opened': (l) =>
    `:rotating_light: ${sourceName(l.source)} opened this ${l.label} incident${l.system ? ` of ${said(l.system)}` : ''}: ${listed(l.firing)} firing.${l.runbook ? ` Runbook: ${tick(l.runbook)}.` : ''}`,
  'alert-new': (l) => `:heavy_plus_sign: New alert in the group: ${said(l.name)} firing.`,
  'alert-firing-again': (l) => `:rotating_light: ${said(l.name)} firing again${flapped(l.flaps)}.`,
  'alert-resolved': (l) => `:white_check_mark: ${said(l.name)} resolved${flapped(l.flaps)}.`,
  'group-firing-again': (l) => `:rotating_light: ${sourceName(l.source)}: firing again at ${at(l.at)}: ${listed(l.firing)}.`,
  'group-resolved': (l) => `:white_check_mark: ${sourceName(l.source)}: alert resolved at ${at(l.at)}.${note(l.note)}`,
};
