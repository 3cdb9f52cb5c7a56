/** Usage texts for replies: each usage in a code span, escaped, so `<INC-n>` and `a|b` read as written. */
import type { SlashCommand, Subcommand } from '#commands/index.js';
import { code, escapeMrkdwn, opsroomLine } from './mrkdwn.js';

const usageLine = (s: Subcommand) => `${code(s.usage)} — ${escapeMrkdwn(s.description)}`;

/** Every subcommand of a command, one per line (help, and the answer to an unknown subcommand). */
export const usageOf = (command: SlashCommand) => Object.values(command.subcommands).map(usageLine).join('\n');

/** The answer to a command that did not parse: the reason (typed words escaped) and the usage. */
export const badCommandText = (p: { error: string; usage: readonly Subcommand[] }) =>
  `:warning: ${opsroomLine(p.error)}\nUsage:\n${p.usage.map(usageLine).join('\n')}`;
