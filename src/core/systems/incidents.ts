/** What routing by system changes in the incident use-cases: which system, level, channel, notices. */
import { CodedError, ErrorCode } from '../errors.js';
import type { NewEffect } from '../effects.js';
import { incidentKey, type Incident, type IncidentPatch } from '../incidents/incident.js';
import { guessSeverity, parseSeverity, type Severity } from '../incidents/severity.js';
import type { NewEvent } from '../incidents/timeline.js';
import type { SystemNotice } from './lines.js';
import { nearest } from '../nearest.js';
import { said } from '../said.js';
import { unknownSystemText, type SystemRouting } from './routing.js';

/** The system named (any case), else the one whose channel it was declared in, else none. */
export function systemFor(routing: SystemRouting | undefined, typed: string | null | undefined, sourceChannel?: string): string | null {
  if (typed?.trim()) {
    const found = routing?.find(typed);
    if (!found) throw new CodedError(ErrorCode.BadInput, routing ? unknownSystemText(typed.trim(), routing) : `Unknown system "${said(typed.trim())}". No systems are configured (opsroom.yml \`systems:\`).`);
    return found;
  }
  return (sourceChannel && routing?.byChannel(sourceChannel)) || null;
}

/** The level a typed severity means in this system; a clear error with the names it knows otherwise. */
export function levelFor(routing: SystemRouting | undefined, severities: readonly Severity[], input: string, system: string | null): Severity {
  const s = routing ? routing.severity(input, system) : parseSeverity(input, severities);
  if (s) return s;
  const teamNames = Object.keys(routing?.config(system)?.severities ?? {});
  const guessName = nearest(input, teamNames);
  const guess = guessName ? undefined : guessSeverity(input, severities);
  const hint = guessName ? ` Did you mean ${guessName}?` : guess ? ` Did you mean ${guess.id}${guess.label ? ` (${guess.label})` : ''}?` : '';
  const own = teamNames.length ? ` or ${system}'s names: ${teamNames.join(', ')}` : '';
  throw new CodedError(ErrorCode.BadInput, `Unknown severity "${said(input)}".${hint} Use one of: ${severities.map((x) => x.id).join(', ')}${own}.`);
}

/** "P1 · Crítica" in a system with its own name for the level, else the level. */
export const levelLabel = (routing: SystemRouting | undefined, level: string, system: string | null) =>
  routing ? routing.severityLabel(level, system) : level;

/** Thread lines and notices when an incident of a system opens: its on-call, its announcement. */
export function openingEffects(routing: SystemRouting | undefined, level: string, system: string | null, title: string): NewEffect[] {
  if (!routing || !system) return [];
  const out: NewEffect[] = [];
  const oncall = routing.oncall(system);
  if (oncall.length) out.push({ target: 'chat', payload: { type: 'thread', line: { kind: 'oncall', system, oncall: [...oncall] } } });
  const announce = routing.announceChannel(level, system);
  if (announce && announce !== routing.channelFor(system))
    out.push(notice(announce, { kind: 'announce-opened', label: levelLabel(routing, level, system), system, title }));
  return out;
}

/** Announced when the severity rises into a level the system announces and it was not announced before. */
export function raisedEffects(routing: SystemRouting | undefined, i: Incident, to: string): NewEffect[] {
  if (!routing || !i.system) return [];
  const channel = routing.announceChannel(to, i.system);
  if (!channel || channel === i.channel || routing.announceChannel(i.severity, i.system) === channel) return [];
  return [notice(channel, { kind: 'announce-raised', incidentId: i.id, system: i.system, label: levelLabel(routing, to, i.system), title: i.title })];
}

/** A message in another channel, with a link to the incident's thread added by the chat adapter. */
const notice = (channel: string, line: SystemNotice): NewEffect => ({ target: 'chat', payload: { type: 'notice', channel, line } });

/**
 * Moves an incident to another system. The card and thread stay where they are (a thread cannot
 * move); when the new system's channel is another one, a notice there links to the thread.
 */
export function decideMove(routing: SystemRouting | undefined, i: Incident, actor: string, typed: string, now: Date): { patch: IncidentPatch; events: NewEvent[]; effects: NewEffect[] } {
  const to = systemFor(routing, typed);
  if (!to) throw new CodedError(ErrorCode.BadInput, 'Say which system, e.g. `/incident system INC-7 blatam`.');
  if (i.system === to) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(i.id)} is already in ${to}.`);
  const from = i.system;
  const effects: NewEffect[] = [
    { target: 'chat', payload: { type: 'card' } },
    { target: 'chat', payload: { type: 'thread', line: { kind: 'moved', actor, from, to } } },
  ];
  const label = levelLabel(routing, i.severity, to);
  const home = routing?.channelFor(to);
  if (home && home !== i.channel) effects.push(notice(home, { kind: 'moved-here', incidentId: i.id, label, from, title: i.title }));
  const announce = routing?.announceChannel(i.severity, to);
  if (announce && announce !== home && announce !== i.channel && announce !== routing?.announceChannel(i.severity, from))
    effects.push(notice(announce, { kind: 'announce-moved', label, to, from, title: i.title }));
  return {
    patch: { system: to },
    events: [{ at: now, actor, kind: 'system', text: `System ${from ?? 'none'} → ${to}`, data: { from, to } }],
    effects,
  };
}
