/** The `systems:` section of opsroom.yml: per system, where its incidents go and what its names mean. */
import { z } from 'zod';

/** A system's name: the first folder of its runbooks, its inventory entry, its key here. */
const SYSTEM_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
const SystemNameSchema = z.string().regex(SYSTEM_NAME_RE, {
  error: 'a system name is lower case letters, digits, "-" and "_" (like its runbook folder)',
});

const ChannelId = z.string().regex(/^[CG][A-Z0-9]+$/, { error: 'expected a channel ID like C0123ABCD' });
const UserOrGroup = z.string().regex(/^([UW]|S)[A-Z0-9]+$/, { error: 'expected a Slack user ID (U…) or user group ID (S…)' });

const SystemSchema = z.strictObject({
  /** Where its incidents' cards and threads live; default: the incidents channel. */
  channel: ChannelId.optional(),
  /** A second channel told about its incidents of these severities (levels or the team's names). */
  announce: z.strictObject({
    channel: ChannelId,
    severities: z.array(z.string().min(1)).min(1),
  }).optional(),
  /** The team's severity names mapped onto opsroom's levels, e.g. { Crítica: P1, Alta: P2 }. */
  severities: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** The PagerDuty service its incidents are raised on (default: pagerduty.services, else PAGERDUTY_SERVICE_ID). */
  pagerduty: z.strictObject({ service: z.string().min(1) }).optional(),
  people: z.strictObject({
    /**
     * Responders for this system's incidents, beside permissions.responders: they may run and approve
     * dangerous steps of this system's runbooks in this system's incidents, and reassign their commanders.
     */
    responders: z.array(UserOrGroup).default([]),
    /** Mentioned in the thread when one of its incidents opens (a user group like @blatam-oncall). */
    oncall: z.array(UserOrGroup).default([]),
  }).default({ responders: [], oncall: [] }),
  /** Its own handoff channel: the shift summary of its incidents is posted there too. */
  handoff: z.strictObject({ channel: ChannelId }).optional(),
  /** Alerts of this system (docs/alerts.md): run the alert's runbook's read-only steps as soon as it opens an incident. */
  alerts: z.strictObject({ autoDiagnostics: z.boolean().default(false) }).optional(),
});
export type SystemConfig = z.infer<typeof SystemSchema>;

export const SystemsSchema = z.record(SystemNameSchema, SystemSchema);
export type SystemsConfig = z.infer<typeof SystemsSchema>;
