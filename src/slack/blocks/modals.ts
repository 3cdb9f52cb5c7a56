import { incidentKey, type Incident } from '#core/incidents/incident.js';
import type { Severity } from '#core/incidents/severity.js';
import { Inputs, Views } from '../ids.js';
import type { InputBlock, InputBlockElement, PlainTextInput, StaticSelect } from '@slack/types';
import { option, plain, type Block, type Modal } from './kit.js';
import { statusOptions } from './card.js';

const input = (blockId: string, label: string, element: InputBlockElement, optional = false): InputBlock => ({
  type: 'input', block_id: blockId, label: plain(label), optional, element: { action_id: blockId, ...element },
});
const textInput = (placeholder: string, multiline = false, max = 3000): PlainTextInput => ({
  type: 'plain_text_input', multiline, max_length: max, placeholder: plain(placeholder),
});
const severitySelect = (severities: readonly Severity[], initial?: string): StaticSelect => {
  const options = severities.map((s) => option(`${s.id}${s.label ? ` ${s.label}` : ''}`, s.id));
  const init = options.find((o) => o.value === initial);
  return { type: 'static_select', options, ...(init && { initial_option: init }) };
};

function modal(callbackId: string, title: string, submit: string, blocks: Block[], meta: object): Modal {
  return {
    type: 'modal', callback_id: callbackId, title: plain(title), submit: plain(submit), close: plain('Cancel'),
    private_metadata: JSON.stringify(meta), blocks,
  };
}

const systemSelect = (names: readonly string[], initial?: string): StaticSelect => {
  const options = names.map((n) => option(n, n));
  const init = options.find((o) => o.value === initial);
  return { type: 'static_select', options, ...(init && { initial_option: init }) };
};

/** `/incident` with no arguments: severity, system (when any is configured), title, summary, service, commander. */
export function openModal(severities: readonly Severity[], meta: { channel: string; user: string }, systems: { names: readonly string[]; initial?: string } = { names: [] }): Modal {
  return modal(Views.open, 'Open an incident', 'Open', [
    input(Inputs.severity, 'Severity', severitySelect(severities)),
    ...(systems.names.length ? [input(Inputs.system, 'System', systemSelect(systems.names.slice(0, 100), systems.initial), true)] : []),
    input(Inputs.title, 'Title', textInput('Checkout API down', false, 120)),
    input(Inputs.summary, 'Summary', textInput('What is happening, who is affected', true), true),
    input(Inputs.service, 'Affected service', textInput('checkout-api', false, 80), true),
    input(Inputs.commander, 'Commander (you, unless you pick someone)', { type: 'users_select', initial_user: meta.user }, true),
  ], meta);
}

export function updateModal(i: Incident): Modal {
  const current = statusOptions().find((o) => o.value === i.status);
  return modal(Views.update, `Update ${incidentKey(i.id)}`, 'Post', [
    input(Inputs.status, 'Status', { type: 'static_select', options: statusOptions(), ...(current && { initial_option: current }) }),
    input(Inputs.text, 'Update', textInput('What changed, what is next', true)),
  ], { incidentId: i.id });
}

export function resolveModal(i: Incident): Modal {
  return modal(Views.resolve, `Resolve ${incidentKey(i.id)}`, 'Resolve', [
    input(Inputs.summary, 'Summary', textInput('Cause and fix', true)),
  ], { incidentId: i.id });
}
