/** Links to incident threads (`chat.getPermalink`), remembered: a message's permalink never changes. */
import type { WebClient } from '@slack/web-api';

const known = new Map<string, string>();
const MAX_KNOWN = 5000;

/** The thread's permalink, or null when Slack does not give one (the answer then names the channel). */
export async function permalink(client: WebClient, channel: string, ts: string | null): Promise<string | null> {
  if (!ts) return null;
  const key = `${channel}/${ts}`;
  const hit = known.get(key);
  if (hit) return hit;
  try {
    const r = await client.chat.getPermalink({ channel, message_ts: ts });
    if (!r.permalink) return null;
    if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
    known.set(key, r.permalink);
    return r.permalink;
  } catch {
    return null;
  }
}

/**
 * Permalinks of many threads at once, a few requests at a time, within `budgetMs`: what is not known
 * by then is null (the answer names the incident without a link; the next list has it remembered).
 */
export async function permalinks(client: WebClient, items: readonly { channel: string; ts: string | null }[], budgetMs = 1000): Promise<(string | null)[]> {
  const out: (string | null)[] = new Array(items.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await permalink(client, items[i].channel, items[i].ts);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((r) => { timer = setTimeout(r, budgetMs); });
  await Promise.race([Promise.all(Array.from({ length: Math.min(4, items.length) }, worker)), budget]);
  clearTimeout(timer);
  // Workers still running keep filling the cache, not this answer.
  return [...out];
}
