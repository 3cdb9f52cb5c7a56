import type { Effect } from '#core/effects.js';
import { link, userText } from './blocks/mrkdwn.js';

/** The card's PagerDuty line: off, pending, failed with the reason, or the link. */
export function pagerLine(enabled: boolean, effects: readonly Effect[], pd?: { url: string }): string {
  if (!enabled) return 'PagerDuty: off';
  const pager = effects.filter((e) => e.target === 'pager');
  const failed = pager.filter((e) => e.state === 'failed').at(-1);
  if (failed) return `PagerDuty: failed: ${userText(failed.lastError ?? 'unknown error', 500)}`;
  const pending = pager.find((e) => e.state === 'pending');
  if (pending) {
    return `PagerDuty: pending${pending.attempts > 0 && pending.lastError ? ` (retrying: ${userText(pending.lastError, 500)})` : ''}`;
  }
  return pd ? `PagerDuty: ${link(pd.url, 'incident')}` : 'PagerDuty: ok';
}
