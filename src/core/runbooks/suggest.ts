import type { Runbook } from './schema.js';

export interface Suggestion<R> {
  runbook: R;
  score: number;
  /** Which keywords and services matched, to show why it was suggested. */
  matched: string[];
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const words = (s: string) => fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Does `phrase` occur in `text` as whole words (accent- and case-insensitive)? */
function hasPhrase(textWords: string[], phrase: string): boolean {
  const p = words(phrase);
  if (!p.length) return false;
  for (let i = 0; i + p.length <= textWords.length; i++) if (p.every((w, j) => textWords[i + j] === w)) return true;
  return false;
}

/**
 * Ranks runbooks for an incident: a matching service weighs 3, each keyword found in the title
 * weighs 2 (per word of the keyword, so "rate limit" beats "rate"), a word of the runbook title found
 * in the incident title weighs 0.5. Runbooks scoring 0 are left out; ties keep catalog order.
 */
export function suggest<R extends Pick<Runbook, 'title' | 'match'>>(
  runbooks: readonly R[],
  incident: { title: string; service?: string | null },
  limit = 5,
): Suggestion<R>[] {
  const titleWords = words(incident.title);
  const service = incident.service ? fold(incident.service) : undefined;
  const scored = runbooks.map((runbook, order) => {
    let score = 0;
    const matched: string[] = [];
    for (const s of runbook.match.services)
      if ((service && fold(s) === service) || hasPhrase(titleWords, s)) {
        score += 3;
        matched.push(s);
      }
    for (const k of runbook.match.keywords)
      if (hasPhrase(titleWords, k)) {
        score += 2 * words(k).length;
        matched.push(k);
      }
    const rbWords = new Set(words(runbook.title).filter((w) => w.length > 3));
    for (const w of rbWords) if (titleWords.includes(w)) score += 0.5;
    return { runbook, score, matched, order };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ runbook, score, matched }) => ({ runbook, score, matched }));
}
