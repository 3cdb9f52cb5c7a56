import { z } from 'zod';
import type { SlashCommand } from './types.js';

export const handoffCommand = {
  name: '/handoff',
  description: 'Shift handoff summaries',
  usageHint: 'post | note <text> | since <time> | help',
  empty: 'show',
  subcommands: {
    show: { usage: '/handoff', description: 'This shift so far (only you see it)', args: [], schema: z.object({}) },
    post: { usage: '/handoff post', description: 'Post the handoff in the handoff channel and ask the next on-call to accept it', args: [], schema: z.object({}) },
    note: {
      usage: '/handoff note [INC-n] <text>', description: 'Leave a note for the next on-call (in an incident thread, about that incident)',
      incident: true, args: ['...text'],
      schema: z.object({
        text: z.string({ error: 'the note is missing' }).trim().min(1, { error: 'the note is empty' }).max(2000, { error: 'the note is longer than 2000 characters' }),
      }),
    },
    since: {
      usage: '/handoff since <time>', description: 'The summary since 14:00, 6h, 2d or 2026-11-22T08:00 (only you see it)',
      args: ['...time'], schema: z.object({ time: z.string({ error: 'the time is missing (e.g. 14:00 or 6h)' }) }),
    },
    help: { usage: '/handoff help', description: 'This help', args: [], schema: z.object({}) },
  },
} satisfies SlashCommand;
