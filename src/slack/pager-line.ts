import type { Effect } from '../core/effects.js';

/** The card's PagerDuty line: off, pending, failed with the reason, or the link. */
export function pagerLine(enabled: boolean, effects: readonly Effect[], link?: { url: string }): string {
  if (!enabled) return 'PagerDuty: off';
  const pager = effects.filter((e) => e.target === 'pager');
  const failed = pager.filter((e) => e.state === 'failed').at(-1);
  if (failed) return `PagerDuty: failed: ${failed.lastError ?? 'unknown error'}`;
  const pending = pager.find((e) => e.state === 'pending');
  if (pending) {
    return `PagerDuty: pending${pending.attempts > 0 && pending.lastError ? ` (retrying: ${pending.lastError})` : ''}`;
  }
  return link ? `PagerDuty: <${link.url}|incident>` : 'PagerDuty: ok';
}
