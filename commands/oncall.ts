import { z } from 'zod';
import type { SlashCommand } from './types.js';

const service = z.string().trim().max(80, { error: 'the service name is longer than 80 characters' })
  .regex(/^[\w.-]*$/, { error: 'a service name is letters, digits, dots, dashes and underscores' }).optional();

/** `/oncall [service]`: who is on call now and next for the mapped PagerDuty escalation policies. */
export const oncallCommand = {
  name: '/oncall',
  description: 'Who is on call now and next (PagerDuty)',
  usageHint: '[service] | help',
  empty: 'show',
  subcommands: {
    show: {
      usage: '/oncall [service]', description: 'On call now and next, for every mapped service or one',
      args: ['...service'], schema: z.object({ service }),
    },
    help: { usage: '/oncall help', description: 'This help', args: [], schema: z.object({}) },
  },
} satisfies SlashCommand;
