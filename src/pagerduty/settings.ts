import { z } from 'zod';

/** How an opsroom severity maps onto a PagerDuty incident. `priority` is a PagerDuty priority id. */
const SeverityMappingSchema = z.strictObject({
  urgency: z.enum(['high', 'low']),
  priority: z.string().min(1).optional(),
});

export const PagerDutySettingsSchema = z.strictObject({
  token: z.string().min(1),
  /** Any base URL, http or https; requests go to `${apiUrl}/incidents` and so on. */
  apiUrl: z.url({ protocol: /^https?$/ }).default('https://api.pagerduty.com'),
  /** Requester email: PagerDuty requires it (`From` header) on writes. */
  from: z.email(),
  /** Default PagerDuty service id for incidents whose service is not mapped. */
  serviceId: z.string().min(1),
  /** opsroom service name -> PagerDuty service id. */
  services: z.record(z.string(), z.string().min(1)).default({}),
  /** opsroom system -> PagerDuty service id (opsroom.yml systems.<name>.pagerduty.service). */
  systemServices: z.record(z.string(), z.string().min(1)).default({}),
  /** opsroom severity id (P1...) -> urgency and optional priority. */
  severityMap: z.record(z.string(), SeverityMappingSchema).default({}),
  /** opsroom severity id -> urgency of the incident it opens, from opsroom.yml `severities[].urgency` (severityMap wins). */
  urgencies: z.record(z.string(), z.enum(['high', 'low'])).default({}),
  /** Named escalation policies offered for "reassign to" (name -> PagerDuty id). */
  escalationPolicies: z.record(z.string(), z.string().min(1)).default({}),
  /** Prefix of the incident_key; distinct opsroom installs sharing one account need distinct prefixes. */
  incidentKeyPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('opsroom'),
  /** Whole-request time limit (all attempts), in ms. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** pdjs retries a 429 itself, up to 3 times, waiting this long in between. */
  rateLimitRetryMs: z.number().int().nonnegative().default(1_000),
  /** Retry delay handed to the dispatcher after a 429 without rate-limit headers. */
  defaultRateLimitBackoffMs: z.number().int().positive().default(30_000),
  /** How far ahead `onCall` looks for the next shift, in hours. */
  nextShiftHorizonHours: z.number().positive().max(90 * 24).default(7 * 24),
  /** Extra CA certificate (PEM) to trust, for an https apiUrl with a private or self-signed certificate. */
  ca: z.string().optional(),
});
export type PagerDutySettings = z.infer<typeof PagerDutySettingsSchema>;
export type PagerDutySettingsInput = z.input<typeof PagerDutySettingsSchema>;

/**
 * Reads PAGERDUTY_* variables; returns undefined when PAGERDUTY_TOKEN is unset (integration off).
 * `extra` carries what opsroom.yml says (services, severityMap, escalationPolicies, ...).
 */
export function pagerDutySettingsFromEnv(
  env: Record<string, string | undefined>,
  extra: Partial<PagerDutySettingsInput> = {},
): PagerDutySettings | undefined {
  const token = env.PAGERDUTY_TOKEN?.trim();
  if (!token) return undefined;
  return PagerDutySettingsSchema.parse({
    ...extra,
    token,
    ...(env.PAGERDUTY_API_URL ? { apiUrl: env.PAGERDUTY_API_URL } : {}),
    from: env.PAGERDUTY_FROM ?? extra.from,
    serviceId: env.PAGERDUTY_SERVICE_ID ?? extra.serviceId,
  });
}

export const opsroomIncidentKey = (prefix: string, incidentId: number) => `${prefix}-INC-${incidentId}`;

/** The opsroom incident id inside an incident_key we created, or undefined for any other key. */
export function incidentIdFromKey(key: string | null | undefined, prefix = 'opsroom'): number | undefined {
  if (!key?.startsWith(`${prefix}-INC-`)) return undefined;
  const rest = key.slice(prefix.length + 5);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/**
 * The opsroom service for a PagerDuty service id: `{ name }` for a mapped one, `{ name: null }`
 * for the default service, `{ name: null, system }` for a system's service, undefined when
 * opsroom does not watch that service.
 */
export function mappedService(settings: PagerDutySettings, pagerServiceId: string): { name: string | null; system?: string } | undefined {
  const name = Object.entries(settings.services).find(([, id]) => id === pagerServiceId)?.[0];
  if (name) return { name };
  const system = Object.entries(settings.systemServices ?? {}).find(([, id]) => id === pagerServiceId)?.[0];
  if (system) return { name: null, system };
  return pagerServiceId === settings.serviceId ? { name: null } : undefined;
}

/**
 * The opsroom severity for an incident raised in PagerDuty: the one mapped to its priority,
 * else the first one (in map order) with its urgency, else undefined (use the default).
 */
export function severityFromPagerDuty(
  settings: PagerDutySettings,
  pd: { priority?: { id: string } | null; urgency?: string | null },
): string | undefined {
  const entries = Object.entries(settings.severityMap);
  const byPriority = pd.priority ? entries.find(([, m]) => m.priority === pd.priority!.id) : undefined;
  return (byPriority ?? entries.find(([, m]) => m.urgency === pd.urgency))?.[0];
}
