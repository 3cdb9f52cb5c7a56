import { CodedError, ErrorCode } from '#core/errors.js';
import { DeliveryError } from '#core/effects.js';
import type { OnCallEntry } from '#core/ports.js';
import type { PagerDutyClient } from './client.js';
import { OnCallSchema, ServiceEnvelopeSchema, type PdOnCall } from './resources.js';
import type { PagerDutySettings } from './settings.js';

const toEntry = (o: PdOnCall): OnCallEntry => ({
  policy: o.escalation_policy.summary ?? o.escalation_policy.id,
  level: o.escalation_level,
  user: o.user.name ?? o.user.summary ?? o.user.id,
  ...(o.user.email ? { email: o.user.email } : {}),
  ...(o.start ? { start: new Date(o.start) } : {}),
  ...(o.end ? { end: new Date(o.end) } : {}),
});

const byPolicyLevelUser = (a: OnCallEntry, b: OnCallEntry) =>
  a.policy.localeCompare(b.policy) || a.level - b.level || a.user.localeCompare(b.user);

/** PagerDuty service ids to look at: the one mapped to `service`, or every configured one. */
function serviceIds(settings: PagerDutySettings, service?: string): string[] {
  const all = [...new Set([settings.serviceId, ...Object.values(settings.services)])];
  if (!service) return all;
  const mapped = settings.services[service] ?? (all.includes(service) ? service : undefined);
  if (!mapped) {
    const known = Object.keys(settings.services).join(', ') || 'none';
    throw new CodedError(ErrorCode.NotFound, `No PagerDuty service is mapped to "${service}" (mapped: ${known}).`);
  }
  return [mapped];
}

/**
 * Who is on call now and next, per escalation policy and level. "Next" is the following shift:
 * per (policy, level), the on-call periods with the earliest start after `now`, within the horizon.
 */
export async function onCallFor(
  client: PagerDutyClient,
  settings: PagerDutySettings,
  now: Date,
  service?: string,
): Promise<{ now: OnCallEntry[]; next: OnCallEntry[] }> {
  const services = serviceIds(settings, service);
  try {
    const policies = new Set<string>(service ? [] : Object.values(settings.escalationPolicies));
    for (const id of services) {
      const data = ServiceEnvelopeSchema.parse(await client.request('GET', `/services/${encodeURIComponent(id)}`));
      policies.add(data.service.escalation_policy.id);
    }
    const base = { 'escalation_policy_ids[]': [...policies], 'include[]': ['users'] };
    const at = now.toISOString();
    const until = new Date(now.getTime() + settings.nextShiftHorizonHours * 3_600_000).toISOString();
    const parse = (list: unknown[]) => list.map((o) => OnCallSchema.parse(o));
    const current = parse(await client.list('/oncalls', 'oncalls', { ...base, since: at, until: at }));
    const ahead = parse(await client.list('/oncalls', 'oncalls', { ...base, since: at, until }))
      .filter((o) => o.start && Date.parse(o.start) > now.getTime());
    const firstStart = new Map<string, number>();
    for (const o of ahead) {
      const k = `${o.escalation_policy.id}/${o.escalation_level}`;
      const t = Date.parse(o.start!);
      if (!firstStart.has(k) || t < firstStart.get(k)!) firstStart.set(k, t);
    }
    const next = ahead.filter((o) => firstStart.get(`${o.escalation_policy.id}/${o.escalation_level}`) === Date.parse(o.start!));
    return { now: current.map(toEntry).sort(byPolicyLevelUser), next: next.map(toEntry).sort(byPolicyLevelUser) };
  } catch (e) {
    if (e instanceof DeliveryError) throw new CodedError(ErrorCode.Unavailable, e.message, { retryable: e.retryable });
    throw e;
  }
}
