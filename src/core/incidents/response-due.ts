/**
 * The response target: an incident nobody acknowledged within its severity's response time gets
 * one thread line naming its commander, and its card is redrawn to say the target was missed.
 */
import type { NewEffect } from '../effects.js';
import { isCoded, ErrorCode } from '../errors.js';
import type { Clock, IncidentStore } from '../ports.js';
import { formatDuration } from './format.js';
import type { Severity } from './severity.js';

export interface ResponseDueDeps {
  store: IncidentStore;
  clock: Clock;
  severities: readonly Severity[];
  onEffects?: () => void;
}

/** Announces each missed response target once; returns the incidents announced. */
export async function announceMissedResponses(d: ResponseDueDeps): Promise<number[]> {
  const now = d.clock.now();
  const announced: number[] = [];
  for (const i of await d.store.listOpen()) {
    const sev = d.severities.find((s) => s.id === i.severity);
    if (!sev || i.acknowledgedAt) continue;
    const target = sev.responseMinutes * 60_000;
    if (now.getTime() < i.createdAt.getTime() + target) continue;
    const events = await d.store.events(i.id);
    if (events.some((e) => e.kind === 'reminder' && e.data?.responseTarget === true)) continue;
    const within = formatDuration(target);
    const effects: NewEffect[] = [
      { target: 'chat', payload: { type: 'thread', line: { kind: 'response-due', commander: i.commander, withinMs: target, severity: sev.id } } },
      { target: 'chat', payload: { type: 'card' } },
    ];
    try {
      await d.store.change(i.id, i.version, {}, [
        { at: now, actor: 'opsroom', kind: 'reminder', text: `Not acknowledged within ${within} (response target)`, data: { responseTarget: true } },
      ], effects);
      announced.push(i.id);
    } catch (e) {
      if (!isCoded(e, ErrorCode.Conflict)) throw e; // acknowledged or changed meanwhile: looked at again next time
    }
  }
  if (announced.length) d.onEffects?.();
  return announced;
}
