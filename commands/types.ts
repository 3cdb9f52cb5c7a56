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
