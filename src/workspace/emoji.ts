/**
 * Emoji shortcodes for the page, from gemoji (GitHub's maintained table, which Slack's names
 * follow), plus the few names where Slack differs.
 */
import { nameToEmoji } from 'gemoji';

const SLACK_NAMES: Record<string, string> = { octagonal_sign: 'stop_sign' };

export function emojiTable(): Record<string, string> {
  const table: Record<string, string> = { ...nameToEmoji };
  for (const [slack, github] of Object.entries(SLACK_NAMES)) if (nameToEmoji[github]) table[slack] = nameToEmoji[github];
  return table;
}
