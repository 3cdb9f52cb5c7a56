import type { Runbook } from './schema.js';

export interface Suggestion<R> {
  runbook: R;
  score: number;
  /** Which keywords and services matched, to show why it was suggested. */
  matched: string[];
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const words = (s: string) => fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** A runbook's match phrases and title, folded once per runbook (not once per incident). */
interface Folded {
  services: Array<{ name: string; folded: string; words: string[] }>;
  keywords: Array<{ name: string; words: string[] }>;
  titleWords: Set<string>;
}
const foldedCache = new WeakMap<object, Folded>();

function folded(runbook: Pick<Runbook, 'title' | 'match'>): Folded {
  let f = foldedCache.get(runbook);
  if (!f) {
    f = {
      services: runbook.match.services.map((name) => ({ name, folded: fold(name), words: words(name) })),
      keywords: runbook.match.keywords.map((name) => ({ name, words: words(name) })),
      titleWords: new Set(words(runbook.title).filter((w) => w.length > 3)),
    };
    foldedCache.set(runbook, f);
  }
  return f;
}

/** Do the words `p` occur in `textWords`, in order and whole? */
function hasPhrase(textWords: string[], p: string[]): boolean {
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
    const f = folded(runbook);
    for (const s of f.services)
      if ((service && s.folded === service) || hasPhrase(titleWords, s.words)) {
        score += 3;
        matched.push(s.name);
      }
    for (const k of f.keywords)
      if (hasPhrase(titleWords, k.words)) {
        score += 2 * k.words.length;
        matched.push(k.name);
      }
    for (const w of f.titleWords) if (titleWords.includes(w)) score += 0.5;
    return { runbook, score, matched, order };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ runbook, score, matched }) => ({ runbook, score, matched }));
}
