import type { z } from 'zod';

/**
 * A slash command as data: what the manifest lists and what the parser reads.
 * `args` names positional arguments in order; a name starting with `...` takes the rest; a name
 * ending in `?` takes the next word only when it is one of the parser's `choices` for it (and
 * words remain for the arguments after it).
 * `incident: true` means the subcommand acts on an incident: inside its thread it applies to it,
 * elsewhere the first argument is `INC-<n>`.
 */
export interface Subcommand {
  usage: string;
  description: string;
  args: readonly string[];
  schema: z.ZodType;
  incident?: boolean;
}

export interface SlashCommand {
  name: `/${string}`;
  description: string;
  usageHint: string;
  subcommands: Record<string, Subcommand>;
  /** Subcommand used when the text is empty. */
  empty?: string;
}

/** The subcommand names of a command (declared with `satisfies SlashCommand`), as literal types. */
export type SubcommandName<C extends SlashCommand> = keyof C['subcommands'] & string;

/** The arguments the parser hands subcommand `K`'s handler: the output of its schema. */
export type ArgsOf<C extends SlashCommand, K extends SubcommandName<C>> = z.output<C['subcommands'][K]['schema']>;
