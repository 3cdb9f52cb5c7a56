/** The `handoff:` section of opsroom.yml. */
import { z } from 'zod';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time like 08:00' });
const SlackUser = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'expected a Slack user ID like U0123ABCD' });
const SlackUserOrGroup = z.string().regex(/^[UWS][A-Z0-9]+$/, { error: 'expected a Slack user or user group ID' });

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const HandoffConfigSchema = z.strictObject({
  /** Where handoffs are posted; default: channels.handoff, else the incidents channel. */
  channel: z.string().regex(/^[CG][A-Z0-9]+$/, { error: 'expected a channel ID like C0123ABCD' }).optional(),
  /** Shift changes in local time, e.g. [08:00, 20:00]. Without them (and without PagerDuty) a shift is the last 12 h. */
  shifts: z.array(HHMM).min(1).optional(),
  timeZone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone like Europe/Madrid' }).default('UTC'),
  /** Use the PagerDuty on-call schedule for the shift window and on-call names when PagerDuty is on. */
  pagerduty: z.boolean().default(true),
  /** The PagerDuty escalation policy (name) whose first level defines the shift; default: the first one with a schedule. */
  pagerdutyPolicy: z.string().min(1).optional(),
  /** Post the handoff at each shift change (needs `shifts` or PagerDuty). */
  schedule: z.boolean().default(true),
  /** A missed shift change is still posted this long after it (a restart, a slow deploy). */
  lateMinutes: z.number().positive().default(60),
  /** Whoever is on call per shift, in order (a small team without PagerDuty); shift n gets rotation[n % length]. */
  rotation: z.array(SlackUser).default([]),
  /** PagerDuty user name or email -> Slack user ID, so the incoming on-call gets the direct message. */
  users: z.record(z.string(), SlackUser).default({}),
  /** Minutes the incoming on-call has to accept before a reminder, then as long again before escalation. */
  acceptMinutes: z.number().positive().default(30),
  escalateMinutes: z.number().positive().default(30),
  /** Who is told when nobody accepted (users or user groups); the channel always is. */
  escalateTo: z.array(SlackUserOrGroup).default([]),
  /** Accepting makes the new on-call commander of the open incidents. */
  moveCommanders: z.boolean().default(false),
  /** A runbook run at handoff time (its non-dangerous steps), e.g. "no active alerts". */
  checks: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/, { error: 'expected a runbook id like bff/handoff-checks' }).optional(),
  /** Hours covered when no shift is known (default 12). */
  defaultHours: z.number().positive().default(12),
});
export type HandoffConfig = z.infer<typeof HandoffConfigSchema>;
export const DEFAULT_HANDOFF_CONFIG: HandoffConfig = HandoffConfigSchema.parse({});
