import { z } from 'zod';
import type { SlashCommand } from './types.js';

const text = (what: string, max: number) =>
  z.string({ error: `${what} is missing` }).trim().min(1, { error: `${what} is empty` })
    .max(max, { error: `${what} is longer than ${max} characters` });
const severity = z.string({ error: 'the severity is missing (e.g. P1)' });
const user = z.string({ error: 'the user is missing (e.g. @alice)' })
  .regex(/^<@([UW][A-Z0-9]+)(\|[^>]*)?>$|^@?[\w.-]+$/, { error: 'expected a user mention like @alice' });

const STATUS_ARGS = ['investigating', 'identified', 'monitoring'] as const;

export const incidentCommand = {
  name: '/incident',
  description: 'Declare and run incidents',
  usageHint: 'open P1 Checkout API down | update <text> | ack | resolve | list | help',
  empty: 'open',
  subcommands: {
    open: {
      usage: '/incident open <severity> [system] <title>',
      description: 'Open an incident (no arguments opens a form); a system\'s own severity names work after its name',
      // A word right after the severity that names a configured system is the system.
      args: ['severity', 'system?', '...title'],
      schema: z.object({ severity, system: z.string().optional(), title: text('the title', 120) }),
    },
    update: {
      usage: '/incident update [INC-n] <text>', description: 'Post a status update', incident: true,
      args: ['...text'], schema: z.object({ text: text('the update', 2900) }),
    },
    ack: {
      usage: '/incident ack [INC-n]', description: 'Acknowledge the incident', incident: true,
      args: [], schema: z.object({}),
    },
    resolve: {
      usage: '/incident resolve [INC-n] [summary]', description: 'Resolve the incident', incident: true,
      args: ['...summary'], schema: z.object({ summary: z.string().max(2900).optional() }),
    },
    reopen: {
      usage: '/incident reopen [INC-n]', description: 'Reopen a resolved incident', incident: true,
      args: [], schema: z.object({}),
    },
    severity: {
      usage: '/incident severity [INC-n] <severity>', description: 'Change the severity', incident: true,
      args: ['severity'], schema: z.object({ severity }),
    },
    assign: {
      usage: '/incident assign [INC-n] @user', description: 'Make someone the commander', incident: true,
      args: ['user'], schema: z.object({ user }),
    },
    status: {
      usage: '/incident status [INC-n] <investigating|identified|monitoring>', description: 'Move the status', incident: true,
      args: ['status'],
      schema: z.object({ status: z.enum(STATUS_ARGS, { error: 'the status must be investigating, identified or monitoring' }) }),
    },
    system: {
      usage: '/incident system [INC-n] <system>', description: 'Move the incident to another system', incident: true,
      args: ['system'], schema: z.object({ system: z.string({ error: 'the system is missing (e.g. blatam)' }) }),
    },
    list: {
      usage: '/incident list [system]', description: 'Open incidents, of one system if named (only you see it)',
      args: ['system'], schema: z.object({ system: z.string().optional() }),
    },
    show: {
      usage: '/incident show [INC-n] [page]', description: 'The card and the latest timeline events (page 2, 3… for older ones)', incident: true,
      args: ['page'], schema: z.object({ page: z.string().regex(/^[1-9]\d{0,5}$/, { error: 'the page is a number, e.g. 2' }).optional() }),
    },
    postmortem: {
      usage: '/incident postmortem [INC-n]', description: 'Post the postmortem draft (Markdown) as a file in the thread', incident: true,
      args: [], schema: z.object({}),
    },
    followup: {
      usage: '/incident followup [INC-n] <text> [@owner]', description: 'Record a follow-up action item, optionally with an owner', incident: true,
      args: ['...text'], schema: z.object({ text: text('the follow-up', 500) }),
    },
    help: { usage: '/incident help', description: 'This help', args: [], schema: z.object({}) },
  },
} satisfies SlashCommand;
