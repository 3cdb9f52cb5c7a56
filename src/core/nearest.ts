/** "Did you mean …": the one known word closest to a mistyped one. */
import { distance } from 'fastest-levenshtein';

/** Edits allowed for a word of this length: one for short words, up to three for long ones. */
const allowed = (n: number) => (n <= 3 ? 1 : n <= 6 ? 2 : 3);

/**
 * The candidate closest to `input` (ignoring case) when it is close enough and no other is as
 * close; else the only candidate that starts with `input`; else undefined.
 */
export function nearest(input: string, candidates: readonly string[]): string | undefined {
  const s = input.trim().toLowerCase();
  if (!s) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tied = false;
  for (const c of new Set(candidates)) {
    const d = distance(s, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance, tied] = [c, d, false];
    else if (d === bestDistance && c.toLowerCase() !== best?.toLowerCase()) tied = true;
  }
  if (best !== undefined && bestDistance > 0 && bestDistance <= allowed(s.length) && !tied) return best;
  const starts = [...new Set(candidates)].filter((c) => s.length >= 2 && c.toLowerCase().startsWith(s));
  return starts.length === 1 ? starts[0] : undefined;
}
