import type { SlashCommand, Subcommand } from './types.js';

export type Parsed =
  | { ok: true; name: string; sub: Subcommand; incidentId?: number; args: Record<string, unknown> }
  /** `/incident` or `/incident open` with nothing else: the caller opens a form. */
  | { ok: true; name: string; sub: Subcommand; form: true }
  | { ok: false; error: string; usage: string };

const INCIDENT_REF = /^INC-?(\d+)$/i;

/** Parses slash-command text against a command's data: subcommand, optional INC-n, arguments. */
export function parseSlash(command: SlashCommand, text: string): Parsed {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const name = (tokens.shift() ?? command.empty ?? 'help').toLowerCase();
  const sub = command.subcommands[name];
  if (!sub) {
    return { ok: false, error: `Unknown subcommand "${name}".`, usage: usageOf(command) };
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
  for (const arg of sub.args) {
    if (arg.startsWith('...')) {
      input[arg.slice(3)] = tokens.length ? tokens.splice(0).join(' ') : undefined;
    } else {
      input[arg] = tokens.shift();
    }
  }
  if (tokens.length) {
    return { ok: false, error: `Unexpected "${tokens.join(' ')}".`, usage: sub.usage };
  }
  const r = sub.schema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues[0]?.message ?? 'invalid arguments';
    return { ok: false, error: msg.charAt(0).toUpperCase() + msg.slice(1) + '.', usage: sub.usage };
  }
  return { ok: true, name, sub, incidentId, args: r.data as Record<string, unknown> };
}

export function usageOf(command: SlashCommand): string {
  return Object.values(command.subcommands).map((s) => `\`${s.usage}\` — ${s.description}`).join('\n');
}
