import { systemOfRunbook } from '../systems/names.js';
import type { Runbook } from './schema.js';

export interface Suggestion<R> {
  runbook: R;
  score: number;
  /** What matched, each once: the incident's system, services, keywords. Shown to say why it was suggested. */
  matched: string[];
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const words = (s: string) => fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** A runbook's match phrases and title, folded once per runbook (not once per incident). */
interface Folded {
  services: Array<{ name: string; folded: string; words: string[] }>;
  keywords: Array<{ name: string; folded: string; words: string[] }>;
  titleWords: Set<string>;
}
const foldedCache = new WeakMap<object, Folded>();

function folded(runbook: Pick<Runbook, 'title' | 'match'>): Folded {
  let f = foldedCache.get(runbook);
  if (!f) {
    f = {
      services: runbook.match.services.map((name) => ({ name, folded: words(name).join(' '), words: words(name) })),
      keywords: runbook.match.keywords.map((name) => ({ name, folded: words(name).join(' '), words: words(name) })),
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

type Candidate = Pick<Runbook, 'title' | 'match'> & { id?: string };
export interface SuggestFor {
  title: string;
  service?: string | null;
  /** The incident's system: its runbooks (the folder `runbooks/<system>/`) come first. */
  system?: string | null;
}

/**
 * Ranks runbooks for an incident. Only runbooks that match something are kept; among them, those
 * of the incident's system come first, then those naming the incident's service, then by score: a
 * service found in the title weighs 3, each keyword found in the title weighs 2 per word (so
 * "rate limit" beats "rate"), a word of the runbook title found in the incident title weighs 0.5.
 * A phrase listed twice (as a service and a keyword) counts and is shown once. Ties keep catalog order.
 */
export function suggest<R extends Candidate>(runbooks: readonly R[], incident: SuggestFor, limit = 5): Suggestion<R>[] {
  const titleWords = words(incident.title);
  const service = incident.service ? words(incident.service).join(' ') : undefined;
  const system = incident.system ? fold(incident.system) : undefined;
  const scored = runbooks.map((runbook, order) => {
    let score = 0;
    const matched = new Map<string, string>();
    const f = folded(runbook);
    let serviceHit = false;
    for (const s of f.services) {
      const named = service !== undefined && s.folded === service;
      if (!named && !hasPhrase(titleWords, s.words)) continue;
      serviceHit ||= named;
      if (matched.has(s.folded)) continue;
      score += 3;
      matched.set(s.folded, s.name);
    }
    for (const k of f.keywords) {
      if (matched.has(k.folded) || !hasPhrase(titleWords, k.words)) continue;
      score += 2 * k.words.length;
      matched.set(k.folded, k.name);
    }
    for (const w of f.titleWords) if (titleWords.includes(w)) score += 0.5;
    const own = system !== undefined && runbook.id !== undefined && fold(systemOfRunbook(runbook.id) ?? '') === system;
    const shown = [...matched.values()];
    if (own && score > 0 && !matched.has(system!)) shown.unshift(`system ${incident.system}`);
    return { runbook, score, matched: shown, order, own: own ? 1 : 0, named: serviceHit ? 1 : 0 };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.own - a.own || b.named - a.named || b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ runbook, score, matched }) => ({ runbook, score, matched }));
}
