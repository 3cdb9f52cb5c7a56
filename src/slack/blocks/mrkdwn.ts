/**
 * The one escaping helper for Slack mrkdwn. Text that is not opsroom's own goes through
 * `userText` (or `escapeMrkdwn` for output and commands) wherever it is shown as mrkdwn:
 * &, < and > become entities (Slack's escaping rules), so it cannot mention a user or a group,
 * broadcast, or plant a link whose label hides its address. Broadcast words typed plainly
 * (@here, @channel, @everyone) get a word joiner after the @: they read the same and never notify.
 */
import { saidParts } from '#core/said.js';

const WORD_JOINER = '\u2060';
const BROADCAST = /@(here|channel|everyone)\b/gi;
const SAID_MARKS = /[\uE000-\uE003]/g;

/** Exact escape: entities for &, < and >, broadcast words neutralised. */
export const escapeMrkdwn = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(BROADCAST, `@${WORD_JOINER}$1`).replace(SAID_MARKS, '');

/**
 * Someone's words (a title, an update, a note, a name) for mrkdwn. Entities Slack already sent
 * (slash command text arrives escaped) are read first, so text is never escaped twice.
 * `max` clips before escaping, so an entity is never cut in half.
 */
export function userText(s: string, max?: number): string {
  let t = String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  if (max !== undefined && t.length > max) t = t.slice(0, max - 1) + '…';
  return escapeMrkdwn(t);
}

/** Inline code that cannot be closed early by a backtick in the text. */
export const code = (s: string) => `\`${escapeMrkdwn(s).replace(/`/g, 'ˋ')}\``;

/** A link to an http(s) address; anything else is shown as text. */
export function link(url: string, label: string): string {
  if (!/^https?:\/\/[^\s<>|]+$/i.test(url)) return `${userText(label)} (${userText(url)})`;
  return `<${url.replace(/&/g, '&amp;')}|${userText(label)}>`;
}

/** A line opsroom wrote with someone's words marked in it (thread lines): the marked words escaped. */
export const opsroomLine = (line: string) => saidParts(line).map((p) => (p.person ? mention(p.text) : p.said ? userText(p.text) : p.text)).join('');

/** A user (U…, W…) or a user group (S…) as a mention; anything else as text. */
function mention(id: string): string {
  if (/^[UW][A-Z0-9]+$/.test(id)) return `<@${id}>`;
  if (/^S[A-Z0-9]+$/.test(id)) return `<!subteam^${id}>`;
  return userText(id);
}
