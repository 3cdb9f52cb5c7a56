/**
 * A Slack message's text as plain words, for the timeline and the postmortem: mentions become
 * `@name`, links `label (address)`, broadcasts `@here`, entities their characters. What is shown
 * again later is escaped for its format there (userText), so nothing here can mention or link.
 */
import type { WebClient } from '@slack/web-api';

const MAX_LOOKUPS = 10;

/** Slack's markup in `text` as plain words; `names` maps user ids to display names. */
export function plainMessageText(text: string, names: ReadonlyMap<string, string> = new Map()): string {
  return String(text ?? '')
    .replace(/<([^<>]*)>/g, (_m, inner: string) => {
      const [target, label] = splitLabel(inner);
      if (target.startsWith('@')) return `@${label ?? names.get(target.slice(1)) ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!subteam^')) return label ?? `@${target.slice(9)}`;
      if (target.startsWith('!date^')) return label ?? '';
      if (target.startsWith('!')) return `@${target.slice(1)}`;
      const address = target.replace(/^mailto:/, '');
      return label && label !== address ? `${label} (${address})` : address;
    })
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|');
  return bar < 0 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

/** The ids mentioned without a name (`<@U123>`), each once. */
const mentionedIds = (text: string): string[] => [...new Set([...String(text ?? '').matchAll(/<@([UW][A-Z0-9]+)>/g)].map((m) => m[1]))];

/** Plain text with mentioned people's names looked up (users.info); an id stays when a lookup fails. */
export async function readableMessageText(client: WebClient, text: string): Promise<string> {
  const names = new Map<string, string>();
  await Promise.all(mentionedIds(text).slice(0, MAX_LOOKUPS).map(async (id) => {
    const r = await client.users.info({ user: id }).catch(() => undefined);
    const u = r?.user as { name?: string; profile?: { display_name?: string } } | undefined;
    const name = u?.profile?.display_name || u?.name;
    if (name) names.set(id, name);
  }));
  return plainMessageText(text, names);
}

/** The message's permalink, or null when Slack cannot give one (the bot is not in that channel…). */
export async function permalinkOf(client: WebClient, channel: string, ts: string): Promise<string | null> {
  const r = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
  return typeof r?.permalink === 'string' && /^https?:\/\/[^\s<>|]+$/i.test(r.permalink) ? r.permalink : null;
}
