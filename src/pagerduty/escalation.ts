import { DeliveryError } from '#core/effects.js';
import type { PagerDutyClient } from './client.js';
import { EscalationPolicyEnvelopeSchema, OnCallSchema, type PdIncident } from './resources.js';
import type { PagerDutySettings } from './settings.js';

export interface EscalationTarget {
  fields: Record<string, unknown>;
  description: string;
}

/**
 * What "escalate" means for one PagerDuty incident: reassign to a policy (id or configured name),
 * go to an explicit level, or go one level above the highest level whose on-call user is assigned.
 */
export async function escalationTarget(
  client: PagerDutyClient,
  settings: PagerDutySettings,
  pd: PdIncident,
  p: { level?: number; policyId?: string },
  now: Date,
): Promise<EscalationTarget> {
  if (p.policyId) {
    const id = settings.escalationPolicies[p.policyId] ?? p.policyId;
    const name = p.policyId !== id ? p.policyId : id;
    return {
      fields: { escalation_policy: { id, type: 'escalation_policy_reference' } },
      description: `reassigned to escalation policy ${name}`,
    };
  }
  if (p.level !== undefined) {
    return { fields: { escalation_level: p.level }, description: `level ${p.level}` };
  }
  const policyId = pd.escalation_policy?.id;
  if (!policyId) throw new DeliveryError(`PagerDuty incident ${pd.id} has no escalation policy to escalate on`, false);
  const policy = EscalationPolicyEnvelopeSchema.parse(
    await client.request('GET', `/escalation_policies/${encodeURIComponent(policyId)}`),
  ).escalation_policy;
  const levels = policy.escalation_rules.length;
  const at = now.toISOString();
  const oncalls = (await client.list<unknown>('/oncalls', 'oncalls', { 'escalation_policy_ids[]': [policyId], since: at, until: at }))
    .map((o) => OnCallSchema.parse(o));
  const assignees = new Set((pd.assignments ?? []).map((a) => a.assignee.id));
  const current = Math.max(1, ...oncalls.filter((o) => assignees.has(o.user.id)).map((o) => o.escalation_level));
  if (current >= levels) {
    throw new DeliveryError(`PagerDuty incident ${pd.id} is already at the last escalation level (${levels}) of ${policy.name ?? policyId}`, false);
  }
  return { fields: { escalation_level: current + 1 }, description: `level ${current + 1} of ${policy.name ?? policyId}` };
}
