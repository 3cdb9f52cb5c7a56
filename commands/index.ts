import { incidentCommand } from './incident.js';
import type { SlashCommand } from './types.js';

export { incidentCommand };
export type { SlashCommand, Subcommand } from './types.js';

/** Every slash command opsroom registers. manifest.yml must list exactly these. */
export const COMMANDS: readonly SlashCommand[] = [incidentCommand];
