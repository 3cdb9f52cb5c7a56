import { z } from 'zod';
import { nearest } from '../nearest.js';

export const SeveritySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9-]+$/),
  label: z.string().default(''),
  /** Time to first response (acknowledge), in minutes. */
  responseMinutes: z.number().positive(),
  /** An open incident with no update for this long gets a reminder. */
  updateIntervalMinutes: z.number().positive(),
  /** Dangerous runbook steps need a second responder's approval. */
  requiresApproval: z.boolean().default(false),
  /** Other names for this level (e.g. a team's "Sev 1" or "P0"). */
  aliases: z.array(z.string()).default([]),
});
export type Severity = z.infer<typeof SeveritySchema>;

/** Defaults from the escalation matrix in seed 002: P1 < 5 min, P2 < 15 min, P3 < 1 h, P4 < 8 h. */
export const DEFAULT_SEVERITIES: Severity[] = [
  { id: 'P1', label: 'Critical', responseMinutes: 5, updateIntervalMinutes: 15, requiresApproval: true, aliases: [] },
  { id: 'P2', label: 'High', responseMinutes: 15, updateIntervalMinutes: 30, requiresApproval: true, aliases: [] },
  { id: 'P3', label: 'Medium', responseMinutes: 60, updateIntervalMinutes: 120, requiresApproval: false, aliases: [] },
  { id: 'P4', label: 'Low', responseMinutes: 480, updateIntervalMinutes: 480, requiresApproval: false, aliases: [] },
];

const normalize = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/**
 * Resolves what a person typed to a configured severity: `p1`, `P1`, `SEV1`, `sev-1`, `sev 1`
 * and any configured alias. Levels are matched by their number too, so `SEV1` finds `P1`.
 */
export function parseSeverity(input: string, severities: readonly Severity[]): Severity | undefined {
  const wanted = normalize(input);
  if (!wanted) return undefined;
  for (const s of severities) {
    const names = [s.id, ...s.aliases].map(normalize);
    if (names.includes(wanted)) return s;
  }
  const m = /^(?:p|sev|severity)?(\d+)$/.exec(wanted);
  if (!m) return undefined;
  return severities.find((s) => normalize(s.id).replace(/^(?:p|sev)/, '') === m[1]);
}

/** The level a mistyped severity most likely meant: its label, or the nearest id, alias or label. */
export function guessSeverity(input: string, severities: readonly Severity[]): Severity | undefined {
  const names = new Map<string, Severity>();
  for (const s of severities) for (const n of [s.id, ...s.aliases, s.label]) if (n) names.set(normalize(n), s);
  const wanted = normalize(input);
  const hit = names.get(wanted) ?? names.get(nearest(wanted, [...names.keys()]) ?? '');
  return hit;
}

/** Lower rank = more severe; follows the configured order. */
export const severityRank = (id: string, severities: readonly Severity[]) => {
  const i = severities.findIndex((s) => s.id === id);
  return i < 0 ? severities.length : i;
};
