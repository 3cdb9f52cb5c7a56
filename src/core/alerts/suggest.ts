/** The runbook an alert names goes first among the suggestions, whatever else matches. */
import type { Suggestion } from '../runbooks/suggest.js';

const NAMED_BY_ALERT = 'named by the alert';

export function alertFirst<R extends { id: string }>(matches: Suggestion<R>[], catalog: readonly R[], runbook: string | null | undefined): Suggestion<R>[] {
  const named = runbook ? catalog.find((r) => r.id === runbook) : undefined;
  if (!named) return matches;
  const rest = matches.filter((m) => m.runbook.id !== named.id);
  const before = matches.find((m) => m.runbook.id === named.id);
  return [{ runbook: named, score: Number.POSITIVE_INFINITY, matched: [NAMED_BY_ALERT, ...(before?.matched ?? [])] }, ...rest];
}
