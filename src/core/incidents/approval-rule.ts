import type { Severity } from './severity.js';
import type { TimelineEvent } from './timeline.js';

/**
 * Whether dangerous steps of an incident need a second responder's approval: when its severity
 * needs it now, or needed it at any time since it opened. Lowering the severity (one responder, a
 * PagerDuty priority change) does not lift the rule for the incident.
 */
export function approvalRequired(
  severities: readonly Severity[],
  current: string,
  events: readonly Pick<TimelineEvent, 'kind' | 'data'>[],
): boolean {
  const held = new Set([current]);
  for (const e of events) {
    const d = e.data ?? {};
    for (const k of ['severity', 'from', 'to'])
      if ((e.kind === 'opened' || e.kind === 'severity') && typeof d[k] === 'string') held.add(d[k] as string);
  }
  return severities.some((s) => s.requiresApproval && held.has(s.id));
}
