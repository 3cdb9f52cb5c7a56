/**
 * A routine's schedule: a cron expression read in a time zone (croner computes the times), which
 * steps run by themselves, and what a failure does. Written in a runbook (`schedule:`) or in
 * opsroom.yml (`routines.schedules.<runbook id>`).
 */
import { Cron } from 'croner';
import { z } from 'zod';

function cronProblem(expr: string, timezone?: string): string | null {
  try {
    new Cron(expr, { paused: true, timezone }).nextRun();
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^CronPattern: /, '');
  }
}

function zoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return null;
  } catch {
    return `unknown time zone "${tz}" (expected an IANA name like America/Argentina/Buenos_Aires)`;
  }
}

export const ScheduleSchema = z
  .strictObject({
    cron: z.string().min(1).describe('Five fields (minute hour day month weekday), e.g. "0 8 * * 1-5".'),
    timezone: z.string().min(1).default('UTC').describe('IANA time zone the cron is read in (default UTC).'),
    steps: z.enum(['diagnostics']).default('diagnostics')
      .describe('What runs by itself: the read-only steps ("Run diagnostics"). Dangerous steps wait for a person.'),
    on_failure: z.strictObject({ open: z.string().min(1).describe('Severity of the incident to open when a check fails.') })
      .optional().describe('Open an incident, linked to the run, when a check fails.'),
    channel: z.string().regex(/^[CGD][A-Z0-9]+$/, { error: 'expected a Slack channel ID like C0123ABCD' }).optional()
      .describe("Channel for the summary (default: the system's operations channel in opsroom.yml)."),
  })
  .superRefine((s, ctx) => {
    const zone = zoneProblem(s.timezone);
    if (zone) return void ctx.addIssue({ code: 'custom', path: ['timezone'], message: zone });
    if (s.cron.trim().split(/\s+/).length !== 5) return void ctx.addIssue({ code: 'custom', path: ['cron'], message: 'expected five fields: minute hour day month weekday' });
    const bad = cronProblem(s.cron, s.timezone);
    if (bad) ctx.addIssue({ code: 'custom', path: ['cron'], message: `not a cron expression: ${bad}` });
  })
  .describe('Run this runbook as a routine on a schedule.');

export type Schedule = z.infer<typeof ScheduleSchema>;

const cronOf = (s: Pick<Schedule, 'cron' | 'timezone'>) => new Cron(s.cron, { paused: true, timezone: s.timezone });

/** The first scheduled time strictly after `after`, or null when there is none. */
export function nextRun(s: Pick<Schedule, 'cron' | 'timezone'>, after: Date): Date | null {
  return cronOf(s).nextRun(after);
}

/** Scheduled times in (from, to], oldest first, at most `max`. */
export function slotsBetween(s: Pick<Schedule, 'cron' | 'timezone'>, from: Date, to: Date, max = 50): Date[] {
  const cron = cronOf(s);
  const out: Date[] = [];
  let at = cron.nextRun(from);
  while (at && at.getTime() <= to.getTime() && out.length < max) {
    out.push(at);
    at = cron.nextRun(at);
  }
  return out;
}
