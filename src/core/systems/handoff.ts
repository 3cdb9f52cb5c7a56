/** Per-system handoffs: a system with its own handoff channel gets the part of the summary about its incidents. */
import { headline } from '../handoffs/headline.js';
import type { HandoffSummary } from '../handoffs/model.js';
import type { HandoffChat } from '../handoffs/ports.js';
import type { Severity } from '../incidents/severity.js';
import type { IncidentStore, Logger } from '../ports.js';

/** The summary cut to some incidents: their items, steps, pages, reminders and notes; no checks, no general notes. */
function summaryForIncidents(s: HandoffSummary, ids: ReadonlySet<number>, severities: readonly Severity[], system: string): HandoffSummary {
  const keep = (id: number | null) => id !== null && ids.has(id);
  const notable = s.steps.notable.filter((st) => keep(st.incidentId));
  const byState: Record<string, number> = {};
  for (const st of notable) byState[st.state] = (byState[st.state] ?? 0) + 1;
  const part: Omit<HandoffSummary, 'headline'> = {
    ...s,
    open: s.open.filter((i) => keep(i.id)),
    shift: s.shift.filter((i) => keep(i.id)),
    // Only the notable (failed or dangerous) steps are known per incident.
    steps: { total: notable.length, byState, notable },
    pages: s.pages.filter((e) => keep(e.incidentId)),
    unansweredReminders: s.unansweredReminders.filter((e) => keep(e.incidentId)),
    notes: s.notes.filter((n) => keep(n.incidentId)),
    checks: { state: 'not_configured' },
  };
  return { ...part, headline: `${system}: ${headline(part, severities)}` };
}

export interface SystemHandoffChannel {
  system: string;
  channel: string;
}

/**
 * Posts each system's part of a handoff in its own handoff channel, when it had incidents in the
 * summary. Best effort: the main handoff is already posted; a failure here is logged.
 */
export async function postSystemParts(
  d: { channels: readonly SystemHandoffChannel[]; incidents: IncidentStore; chat: HandoffChat; severities: readonly Severity[]; log?: Logger },
  summary: HandoffSummary, handoffId: number,
): Promise<number> {
  if (!d.channels.length) return 0;
  const ids = [...new Set([...summary.open, ...summary.shift].map((i) => i.id))];
  const systems = new Map(await Promise.all(ids.map(async (id) => [id, (await d.incidents.get(id))?.system ?? null] as const)));
  let posted = 0;
  for (const { system, channel } of d.channels) {
    const mine = new Set(ids.filter((id) => systems.get(id) === system));
    if (!mine.size) continue;
    try {
      await d.chat.post(channel, summaryForIncidents(summary, mine, d.severities, system), handoffId);
      posted++;
    } catch (e) {
      d.log?.warn({ system, channel, error: String(e) }, 'system handoff post failed');
    }
  }
  return posted;
}
