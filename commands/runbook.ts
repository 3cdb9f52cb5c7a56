import { z } from 'zod';
import type { SlashCommand } from './types.js';

export const runbookCommand = {
  name: '/runbook',
  description: 'Find and run runbooks, in an incident or as routines',
  usageHint: 'list [broken] [filter] | run [INC-n] <runbook> [name=value…] | schedule | help',
  subcommands: {
    list: {
      usage: '/runbook list [broken] [filter]', description: 'The runbooks opsroom knows (only you see it); `broken`: only those the last verify found broken, and why',
      args: ['...filter'], schema: z.object({ filter: z.string().max(100, { error: 'the filter is longer than 100 characters' }).optional() }),
    },
    run: {
      usage: '/runbook run [INC-n] <runbook> [name=value…]',
      description: "Start a runbook in the incident (missing parameters open a form); outside an incident, in the system's operations channel", incident: true,
      args: ['runbook', '...params'],
      schema: z.object({
        runbook: z.string({ error: 'the runbook id is missing (see /runbook list)' }).regex(/^[A-Za-z0-9][A-Za-z0-9_/-]*$/, { error: 'expected a runbook id like redis-down' }),
        params: z.string().max(3000).optional(),
      }),
    },
    schedule: { usage: '/runbook schedule', description: 'What runs when, next run first (only you see it)', args: [], schema: z.object({}) },
    help: { usage: '/runbook help', description: 'This help', args: [], schema: z.object({}) },
  },
} satisfies SlashCommand;
