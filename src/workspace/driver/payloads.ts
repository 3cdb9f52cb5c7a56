// Builds the parts of interaction payloads from stored blocks, typed as Slack types them.
type Obj = Record<string, any>;

export type Found = { block: Obj; element: Obj };

/** Finds an interactive element by action_id (and block_id when given) in a list of blocks. */
export function findElement(blocks: Obj[] | undefined, actionId: string, blockId?: string): Found | undefined {
  for (const block of blocks ?? []) {
    if (blockId && block.block_id !== blockId) continue;
    const elements: Obj[] = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : []), ...(block.element ? [block.element] : [])];
    const element = elements.find((e) => e && e.action_id === actionId);
    if (element) return { block, element };
  }
  return undefined;
}

function findOption(element: Obj, value: string): Obj | undefined {
  const options: Obj[] = element.options ?? (element.option_groups ?? []).flatMap((g: Obj) => g.options ?? []);
  return options.find((o) => o.value === value);
}

export type ClickOptions = {
  /** overrides the element's value (a tampered button) or picks the option with this value */
  value?: string;
  blockId?: string;
  /** values of input blocks in the message/view, as for submitView */
  values?: Record<string, ValueInput>;
};

/** The `actions[0]` entry of a block_actions payload. */
export function actionFor(found: Found, opts: ClickOptions, actionTs: string): Obj {
  const { block, element } = found;
  const base: Obj = { type: element.type, action_id: element.action_id, block_id: block.block_id, action_ts: actionTs };
  switch (element.type) {
    case 'button':
      return { ...base, text: element.text, value: opts.value ?? element.value, ...(element.style ? { style: element.style } : {}) };
    case 'static_select':
    case 'overflow':
    case 'radio_buttons': {
      const value = opts.value ?? element.initial_option?.value ?? element.options?.[0]?.value;
      const option = findOption(element, value) ?? { text: { type: 'plain_text', text: String(value) }, value };
      return { ...base, selected_option: option, ...(element.placeholder ? { placeholder: element.placeholder } : {}) };
    }
    case 'users_select':
      return { ...base, selected_user: opts.value ?? element.initial_user };
    case 'conversations_select':
      return { ...base, selected_conversation: opts.value };
    case 'channels_select':
      return { ...base, selected_channel: opts.value };
    case 'datepicker':
      return { ...base, selected_date: opts.value };
    default:
      return { ...base, value: opts.value ?? element.value };
  }
}

export type ValueInput = string | string[] | undefined;

/** One input element's entry in `state.values`, from a plain value (or the element's initial value). */
function stateValue(element: Obj, input: ValueInput): Obj | undefined {
  const t = element.type;
  const list = (v: ValueInput) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  switch (t) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input': {
      const v = input ?? element.initial_value;
      return { type: t, value: v === undefined || v === '' ? null : String(v) };
    }
    case 'static_select':
    case 'radio_buttons': {
      const v = input ?? element.initial_option?.value;
      return { type: t, selected_option: v === undefined || v === '' ? null : findOption(element, String(v)) ?? null };
    }
    case 'multi_static_select':
    case 'checkboxes': {
      const vs = list(input) ?? (element.initial_options ?? []).map((o: Obj) => o.value);
      return { type: t, selected_options: vs.map((v: string) => findOption(element, v)).filter(Boolean) };
    }
    case 'users_select':
      return { type: t, selected_user: (input as string) || element.initial_user || null };
    case 'multi_users_select':
      return { type: t, selected_users: list(input) ?? element.initial_users ?? [] };
    case 'conversations_select':
      return { type: t, selected_conversation: (input as string) || element.initial_conversation || null };
    case 'channels_select':
      return { type: t, selected_channel: (input as string) || element.initial_channel || null };
    case 'datepicker':
      return { type: t, selected_date: (input as string) || element.initial_date || null };
    default:
      return input === undefined ? undefined : { type: t, value: input };
  }
}

function isEmpty(v: Obj): boolean {
  if ('value' in v) return v.value === null || v.value === '';
  if ('selected_option' in v) return v.selected_option === null;
  if ('selected_options' in v) return v.selected_options.length === 0;
  if ('selected_users' in v) return v.selected_users.length === 0;
  const key = Object.keys(v).find((k) => k.startsWith('selected_'));
  return key ? v[key] === null : false;
}

/**
 * `state.values` of the input blocks in a list of blocks. `values` is keyed by block_id or
 * action_id. Also returns the client-side "required" errors Slack's client shows before sending.
 */
export function stateValues(blocks: Obj[] | undefined, values: Record<string, ValueInput> = {}): { values: Obj; missing: Record<string, string> } {
  const out: Obj = {};
  const missing: Record<string, string> = {};
  for (const block of blocks ?? []) {
    if (block.type !== 'input' || !block.element) continue;
    const el = block.element;
    const input = values[block.block_id] ?? values[el.action_id];
    const v = stateValue(el, input);
    if (!v) continue;
    (out[block.block_id] ??= {})[el.action_id] = v;
    if (!block.optional && isEmpty(v)) missing[block.block_id] = 'Please complete this required field.';
    if (el.type === 'plain_text_input' && v.value) {
      if (el.min_length && v.value.length < el.min_length) missing[block.block_id] = `Must be at least ${el.min_length} characters.`;
      if (el.max_length && v.value.length > el.max_length) missing[block.block_id] = `Must be at most ${el.max_length} characters.`;
    }
  }
  return { values: out, missing };
}
