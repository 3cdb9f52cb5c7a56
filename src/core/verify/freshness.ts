/**
 * Freshness: each runbook's standing from the last verify — "last verified …" or "broken since
 * … (why)". A runbook stays broken from the first verify that found it so until one finds it fits.
 */
import type { VerifyReport } from './check.js';

export interface RunbookHealth {
  runbookId: string;
  /** The last verify that found it fits; null when none has. */
  lastVerifiedAt: Date | null;
  /** The first verify of the current breakage; null while it fits. */
  brokenSince: Date | null;
  /** The first problem of the last verify (and how many more). */
  reason: string | null;
  checkedAt: Date;
}

/** Where runbook health is kept (store/runbook-health.ts). */
export interface HealthStore {
  get(runbookIds: readonly string[]): Promise<RunbookHealth[]>;
  put(rows: readonly RunbookHealth[]): Promise<void>;
  all(): Promise<RunbookHealth[]>;
}

export interface Verdict { runbookId: string; reason: string | null }

/** Each checked runbook's verdict from a report: null when it fits, else its first problem. */
export function verdictsOf(report: VerifyReport): Verdict[] {
  return report.checked.map((runbookId) => {
    const mine = report.problems.filter((p) => p.runbook === runbookId);
    if (!mine.length) return { runbookId, reason: null };
    const first = `${mine[0].step ? `step ${mine[0].step}: ` : ''}${mine[0].message}`;
    return { runbookId, reason: mine.length > 1 ? `${first} (and ${mine.length - 1} more)` : first };
  });
}

function nextHealth(prev: RunbookHealth | undefined, v: Verdict, at: Date): RunbookHealth {
  if (v.reason === null) return { runbookId: v.runbookId, lastVerifiedAt: at, brokenSince: null, reason: null, checkedAt: at };
  return { runbookId: v.runbookId, lastVerifiedAt: prev?.lastVerifiedAt ?? null, brokenSince: prev?.brokenSince ?? at, reason: v.reason.slice(0, 500), checkedAt: at };
}

/** Records a verify's verdicts; returns the runbooks that broke with it (fitted, or unknown, before). */
export async function recordVerdicts(store: HealthStore, verdicts: readonly Verdict[], at: Date): Promise<RunbookHealth[]> {
  if (!verdicts.length) return [];
  const before = new Map((await store.get(verdicts.map((v) => v.runbookId))).map((h) => [h.runbookId, h]));
  const rows = verdicts.map((v) => nextHealth(before.get(v.runbookId), v, at));
  await store.put(rows);
  return rows.filter((r) => r.brokenSince !== null && before.get(r.runbookId)?.brokenSince == null);
}

/** Runbooks that broke in (since, until] and are still broken (the handoff's list). */
export function brokenBetween(rows: readonly RunbookHealth[], since: Date, until: Date): { runbookId: string; brokenSince: Date; reason: string | null }[] {
  return rows
    .filter((h) => h.brokenSince && h.brokenSince.getTime() > since.getTime() && h.brokenSince.getTime() <= until.getTime())
    .map((h) => ({ runbookId: h.runbookId, brokenSince: h.brokenSince!, reason: h.reason }));
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `2026-12-01 22:45 UTC`. */
const utc = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;

/** "last verified 2026-12-01 08:00 UTC", "broken since … (why)", or "never verified". */
export function freshnessText(h: RunbookHealth | undefined): string {
  if (!h) return 'never verified';
  if (h.brokenSince) return `broken since ${utc(h.brokenSince)} (${h.reason ?? 'unknown'})`;
  return h.lastVerifiedAt ? `last verified ${utc(h.lastVerifiedAt)}` : 'never verified';
}
