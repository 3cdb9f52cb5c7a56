import { handoffCommand } from './handoff.js';
import { incidentCommand } from './incident.js';
import { oncallCommand } from './oncall.js';
import { runbookCommand } from './runbook.js';
import type { SlashCommand } from './types.js';

export type { SlashCommand, Subcommand } from './types.js';

/** Every slash command opsroom registers. manifest.yml must list exactly these. */
export const COMMANDS: readonly SlashCommand[] = [incidentCommand, oncallCommand, handoffCommand, runbookCommand];
