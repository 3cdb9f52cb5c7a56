/**
 * Markdown for text that is not opsroom's (titles, updates, notes, command output): it reads as
 * written and cannot become a heading, a link, an image, HTML or emphasis. Inline text has the
 * characters that open markup backslash-escaped (newlines become spaces); code spans and fences are
 * longer than any backtick run inside them, so output cannot close them early.
 */
import { unsaid } from '../said.js';

const PUNCTUATION = /[\\`*_[\]<>#|~&]/g;
/** C0/C1 controls and ANSI escape sequences (terminal colours in output). */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Without terminal escapes and control characters (tabs and newlines kept). */
const clean = (s: string) => unsaid(s).replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROLS, '');

/** Slack-formatted text opsroom stored (mentions, entities, links) as plain text, people by name. */
export function plainFromSlack(s: string, name: (user: string) => string): string {
  return clean(s)
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${name(id)}`)
    .replace(/<#(C[A-Z0-9]+)\|([^>]*)>/g, (_m, _id, n: string) => `#${n}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, n?: string) => n ?? id)
    .replace(/<(https?:\/\/[^|>]+)\|([^>]*)>/g, '$2 ($1)')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/\u2060/g, '');
}

/** One line of someone's words, escaped, clipped to `max` characters first. */
export function mdText(s: string, max = 2000): string {
  let t = clean(s).replace(/\s+/g, ' ').trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return t.replace(PUNCTUATION, (c) => `\\${c}`);
}

const longestRun = (s: string, ch: string) => Math.max(0, ...[...s.matchAll(new RegExp(`\\${ch}+`, 'g'))].map((m) => m[0].length));

/** Inline code holding any text on one line. */
export function mdCode(s: string, max = 500): string {
  let t = clean(s).replace(/\s+/g, ' ').trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  const fence = '`'.repeat(longestRun(t, '`') + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A fenced block holding any text; the fence is longer than any backtick run in it. */
export function mdFence(s: string, info = 'text'): string {
  const body = clean(s).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** The last `lines` lines of output (each clipped), and how many there were. */
export function excerpt(output: string, lines = 12, width = 300): { text: string; shown: number; total: number } {
  const all = clean(output).replace(/\n+$/, '').split('\n');
  const total = output.trim() ? all.length : 0;
  const tail = all.slice(-lines).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  return { text: total ? tail.join('\n') : '', shown: Math.min(lines, total), total };
}
