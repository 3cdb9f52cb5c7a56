import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { Inputs, Views } from '../ids.js';
import { option, plain, section, type Modal } from './kit.js';
import { userText } from './mrkdwn.js';

const NEXT_LEVEL = 'next';
const POLICY = 'policy:';

/** The Escalate modal: the next level of the current policy, or reassign to a configured policy. */
export function escalateModal(i: Incident, policies: readonly string[]): Modal {
  const options = [option('Next escalation level', NEXT_LEVEL), ...policies.map((p) => option(`Reassign to ${p}`, `${POLICY}${p}`))];
  return {
    type: 'modal', callback_id: Views.escalate, title: plain(`Escalate ${incidentKey(i.id)}`), submit: plain('Escalate'),
    close: plain('Cancel'), private_metadata: JSON.stringify({ incidentId: i.id }),
    blocks: [
      section(`Pages the next responders in PagerDuty for *${incidentKey(i.id)}* (${i.severity}): ${userText(i.title)}`),
      {
        type: 'input', block_id: Inputs.escalateTo, label: plain('Escalate to'),
        element: { type: 'static_select', action_id: Inputs.escalateTo, options, initial_option: options[0] },
      },
    ],
  };
}

/** The escalation target a modal value names; undefined for a value the modal never offered. */
export function escalationChoice(value: string | undefined, policies: readonly string[]): { policyId?: string } | undefined {
  if (!value || value === NEXT_LEVEL) return {};
  if (value.startsWith(POLICY) && policies.includes(value.slice(POLICY.length))) return { policyId: value.slice(POLICY.length) };
  return undefined;
}
