import type { z } from 'zod';
import { nearest } from '#core/nearest.js';
import { said } from '#core/said.js';
import type { SlashCommand, Subcommand } from './types.js';

export type Parsed =
  | { ok: true; name: string; sub: Subcommand; incidentId?: number; args: Record<string, unknown> }
  /** `/incident` or `/incident open` with nothing else: the caller opens a form. */
  | { ok: true; name: string; sub: Subcommand; form: true }
  /** `error` marks the caller's words with said(); `usage` is the subcommands to show. */
  | { ok: false; error: string; usage: readonly Subcommand[] };

const INCIDENT_REF = /^INC-?(\d+)$/i;

/** Slack sends &, < and > in command text as entities; the text means the characters. */
const slackCommandText = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Free text (a title, an update) as it was typed: with escaping on, Slack sends a typed @carol as
 * `<@U…|carol>`, #general as `<#C…|general>`, @here as `<!here>` and a link as `<https://…>`;
 * these read back as the words. Then the entities, so a typed `<!here>` stays text.
 */
const typedText = (raw: string) =>
  slackCommandText(
    raw
      .replace(/<@[UW][A-Z0-9]+\|([^<>|]+)>/g, '@$1')
      .replace(/<#C[A-Z0-9]+\|([^<>|]+)>/g, '#$1')
      .replace(/<!(here|channel|everyone)(?:\|[^<>]*)?>/g, '@$1')
      .replace(/<!subteam\^[A-Z0-9]+\|(@?[^<>|]+)>/g, (_, n: string) => (n.startsWith('@') ? n : `@${n}`))
      .replace(/<((?:https?|mailto):[^<>|\s]+)(?:\|[^<>]*)?>/g, '$1'),
  );

/** " Did you mean `x`?" when one known word is close to what was typed. */
export function didYouMean(input: string, known: readonly string[], prefix = ''): string {
  const guess = nearest(input, known);
  return guess ? ` Did you mean \`${prefix}${guess}\`?` : '';
}

/** Words an optional argument (`name?`) may be, e.g. { system: ['blatam', 'bff'] }; compared ignoring case. */
export type Choices = Record<string, readonly string[]>;

/** Parses slash-command text against a command's data: subcommand, optional INC-n, arguments. */
export function parseSlash(command: SlashCommand, text: string, choices: Choices = {}): Parsed {
  // Split as sent (entities hold no spaces); each argument is then read as what was typed.
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const name = slackCommandText(tokens.shift() ?? command.empty ?? 'help').toLowerCase();
  const sub = command.subcommands[name];
  if (!sub) {
    const hint = didYouMean(name, Object.keys(command.subcommands), `${command.name} `);
    return { ok: false, error: `Unknown subcommand "${said(name)}".${hint}`, usage: Object.values(command.subcommands) };
  }
  if (tokens.length === 0 && sub.args.length > 0 && name === command.empty) {
    return { ok: true, name, sub, form: true };
  }
  let incidentId: number | undefined;
  const ref = sub.incident ? INCIDENT_REF.exec(tokens[0] ?? '') : null;
  if (ref) {
    incidentId = Number(ref[1]);
    tokens.shift();
  }
  const input: Record<string, string | undefined> = {};
  sub.args.forEach((arg, n) => {
    if (arg.endsWith('?')) {
      const name = arg.slice(0, -1);
      const word = tokens[0] === undefined ? '' : slackCommandText(tokens[0]).toLowerCase();
      const later = n < sub.args.length - 1;
      if (word && choices[name]?.some((c) => c.toLowerCase() === word) && (!later || tokens.length > 1)) input[name] = slackCommandText(tokens.shift()!);
    } else if (arg.startsWith('...')) {
      input[arg.slice(3)] = tokens.length ? typedText(tokens.splice(0).join(' ')) : undefined;
    } else {
      const words = spannedWords(tokens, choices[arg] ?? []);
      const t = tokens.splice(0, words).join(' ') || undefined;
      input[arg] = t === undefined ? undefined : slackCommandText(t);
    }
  });
  if (tokens.length) {
    return { ok: false, error: `Unexpected "${said(slackCommandText(tokens.join(' ')))}".`, usage: [sub] };
  }
  const r = sub.schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const msg = issue?.message ?? 'invalid arguments';
    const field = String(issue?.path[0] ?? '');
    return { ok: false, error: msg.charAt(0).toUpperCase() + msg.slice(1) + '.' + choiceHint(sub, field, input[field]), usage: [sub] };
  }
  return { ok: true, name, sub, incidentId, args: r.data as Record<string, unknown> };
}

/** How many words the next argument takes: a choice of several words (`Severidad 1`) when typed so, else one. */
function spannedWords(tokens: readonly string[], choices: readonly string[]): number {
  let best = 1;
  for (const c of choices) {
    const words = c.trim().split(/\s+/);
    if (words.length <= best || words.length > tokens.length) continue;
    if (words.every((w, i) => slackCommandText(tokens[i]).toLowerCase() === w.toLowerCase())) best = words.length;
  }
  return best;
}

/** For an argument that is one of a list (an enum), the choice closest to what was typed. */
function choiceHint(sub: Subcommand, field: string, typed: string | undefined): string {
  const shape = (sub.schema as z.ZodObject).shape as Record<string, { options?: unknown }> | undefined;
  const options = shape?.[field]?.options;
  if (!typed || !Array.isArray(options)) return '';
  return didYouMean(typed, options.map(String));
}
