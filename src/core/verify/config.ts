/**
 * opsroom.yml `verify`: when the scheduled verify runs (default daily at 06:00 UTC). The env
 * variable OPSROOM_VERIFY_CRON, when set, wins over `cron` ("off" turns the schedule off).
 */
import { z } from 'zod';
import { ScheduleSchema } from '../routines/schedule.js';

export const VerifyConfigSchema = z.strictObject({
  cron: z.string().min(1).default('0 6 * * *').describe('Five fields (minute hour day month weekday); "off" for no scheduled verify.'),
  timezone: z.string().min(1).default('UTC').describe('IANA time zone the cron is read in.'),
  /** How often each replica looks for a due verify (seconds). */
  tickSeconds: z.number().positive().default(60),
}).superRefine((v, ctx) => {
  if (v.cron === 'off') return;
  const r = ScheduleSchema.safeParse({ cron: v.cron, timezone: v.timezone });
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
});
export type VerifyConfig = z.infer<typeof VerifyConfigSchema>;
export const DEFAULT_VERIFY_CONFIG: VerifyConfig = { cron: '0 6 * * *', timezone: 'UTC', tickSeconds: 60 };

/** The schedule in force: the file's, or OPSROOM_VERIFY_CRON's; null when off. */
export function verifySchedule(c: VerifyConfig, env: Record<string, string | undefined>): { cron: string; timezone: string } | null {
  const cron = env.OPSROOM_VERIFY_CRON?.trim() || c.cron;
  if (cron === 'off') return null;
  const r = ScheduleSchema.safeParse({ cron, timezone: c.timezone });
  if (!r.success) throw new Error(`OPSROOM_VERIFY_CRON: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return { cron, timezone: c.timezone };
}
