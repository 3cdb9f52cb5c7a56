/** Facts about alerts for the incident's thread (rendered by the chat adapter). */
import type { AlertSource } from './alert.js';

/** The first alert names of a list (at most ten) and how many there are in all. */
export interface AlertNames {
  names: string[];
  total: number;
}

/** How often an alert changed unposted since its last line. */
export interface Flaps {
  changes: number;
  since: number;
}

/** What the group resolving did to the incident. */
export type ResolvedNote =
  | { kind: 'none' }
  | { kind: 'kept-open'; by: string; status: string }
  | { kind: 'resolving' }
  | { kind: 'monitoring'; set: boolean; resolvesAt: number | null };

export type AlertLine =
  | { kind: 'alert-opened'; source: AlertSource; label: string; system: string | null; firing: AlertNames; runbook: string | null }
  | { kind: 'alert-new'; name: string }
  | { kind: 'alert-firing-again'; name: string; flaps: Flaps | null }
  | { kind: 'alert-resolved'; name: string; flaps: Flaps | null }
  | { kind: 'group-firing-again'; source: AlertSource; at: number; firing: AlertNames }
  | { kind: 'group-resolved'; source: AlertSource; at: number; note: ResolvedNote };
