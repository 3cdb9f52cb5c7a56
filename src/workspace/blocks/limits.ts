// Slack's Block Kit limits that bite, reported the way Slack reports them:
// "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
type Obj = Record<string, any>;

const BLOCK_TYPES = new Set([
  'section', 'divider', 'image', 'actions', 'context', 'input', 'file', 'header', 'video',
  'rich_text', 'markdown', 'table', 'call', 'context_actions',
]);

const MAX_BLOCKS = { message: 50, modal: 100 } as const;

class Checker {
  messages: string[] = [];
  err(msg: string, ptr: string) {
    this.messages.push(`[ERROR] ${msg} [json-pointer:${ptr}]`);
  }
  maxLen(v: unknown, max: number, ptr: string) {
    if (typeof v === 'string' && v.length > max) this.err(`must be less than ${max + 1} characters`, ptr);
  }
  text(t: Obj | undefined, max: number, ptr: string, plainOnly = false) {
    if (t === undefined) return;
    if (typeof t !== 'object' || t === null || typeof t.text !== 'string') return this.err('must provide an object with a text field', ptr);
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn') return this.err(`must be a valid enum value (plain_text, mrkdwn)`, `${ptr}/type`);
    if (plainOnly && t.type !== 'plain_text') return this.err('must be a valid enum value (plain_text)', `${ptr}/type`);
    if (t.text.length === 0) this.err('must be more than 0 characters', `${ptr}/text`);
    this.maxLen(t.text, max, `${ptr}/text`);
  }
  option(o: Obj, ptr: string) {
    this.text(o?.text, 75, `${ptr}/text`);
    this.maxLen(o?.value, 150, `${ptr}/value`);
  }
  element(e: Obj, ptr: string) {
    if (!e || typeof e.type !== 'string') return this.err('missing required field: type', ptr);
    this.maxLen(e.action_id, 255, `${ptr}/action_id`);
    if (e.confirm) this.confirm(e.confirm, `${ptr}/confirm`);
    switch (e.type) {
      case 'button':
        this.text(e.text, 75, `${ptr}/text`, true);
        if (!e.text) this.err('missing required field: text', ptr);
        this.maxLen(e.value, 2000, `${ptr}/value`);
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') this.err('must be a valid enum value (primary, danger)', `${ptr}/style`);
        break;
      case 'static_select': case 'multi_static_select': case 'overflow': case 'checkboxes': case 'radio_buttons': {
        const max = e.type === 'overflow' ? 5 : e.type === 'checkboxes' || e.type === 'radio_buttons' ? 10 : 100;
        if (!Array.isArray(e.options) && !Array.isArray(e.option_groups)) return this.err('missing required field: options', ptr);
        if (Array.isArray(e.options)) {
          if (e.options.length > max) this.err(`no more than ${max} items allowed`, `${ptr}/options`);
          e.options.forEach((o: Obj, i: number) => this.option(o, `${ptr}/options/${i}`));
        }
        this.text(e.placeholder, 150, `${ptr}/placeholder`, true);
        break;
      }
      case 'plain_text_input':
        this.text(e.placeholder, 150, `${ptr}/placeholder`, true);
        this.maxLen(e.initial_value, 3000, `${ptr}/initial_value`);
        break;
      default:
        this.text(e.placeholder, 150, `${ptr}/placeholder`, true);
    }
  }
  confirm(c: Obj, ptr: string) {
    this.text(c.title, 100, `${ptr}/title`, true);
    this.text(c.text, 300, `${ptr}/text`);
    this.text(c.confirm, 30, `${ptr}/confirm`, true);
    this.text(c.deny, 30, `${ptr}/deny`, true);
  }
  block(b: Obj, ptr: string, _surface: 'message' | 'modal') {
    if (!b || typeof b !== 'object') return this.err('must be an object', ptr);
    if (!BLOCK_TYPES.has(b.type)) return this.err(`unsupported type: ${b.type}`, `${ptr}/type`);
    this.maxLen(b.block_id, 255, `${ptr}/block_id`);
    switch (b.type) {
      case 'section':
        if (!b.text && !b.fields) this.err('must provide either text or fields', ptr);
        this.text(b.text, 3000, `${ptr}/text`);
        if (Array.isArray(b.fields)) {
          if (b.fields.length > 10) this.err('no more than 10 items allowed', `${ptr}/fields`);
          b.fields.forEach((f: Obj, i: number) => this.text(f, 2000, `${ptr}/fields/${i}`));
        }
        if (b.accessory) this.element(b.accessory, `${ptr}/accessory`);
        break;
      case 'header':
        if (!b.text) this.err('missing required field: text', ptr);
        this.text(b.text, 150, `${ptr}/text`, true);
        break;
      case 'context':
        if (!Array.isArray(b.elements)) return this.err('missing required field: elements', ptr);
        if (b.elements.length > 10) this.err('no more than 10 items allowed', `${ptr}/elements`);
        b.elements.forEach((e: Obj, i: number) => (e?.type === 'image' ? undefined : this.text(e, 3000, `${ptr}/elements/${i}`)));
        break;
      case 'actions':
        if (!Array.isArray(b.elements)) return this.err('missing required field: elements', ptr);
        if (b.elements.length > 25) this.err('no more than 25 items allowed', `${ptr}/elements`);
        b.elements.forEach((e: Obj, i: number) => this.element(e, `${ptr}/elements/${i}`));
        break;
      case 'image':
        if (!b.image_url && !b.slack_file) this.err('missing required field: image_url', ptr);
        if (!b.alt_text) this.err('missing required field: alt_text', ptr);
        this.maxLen(b.alt_text, 2000, `${ptr}/alt_text`);
        this.text(b.title, 2000, `${ptr}/title`, true);
        break;
      case 'input':
        if (!b.label) this.err('missing required field: label', ptr);
        this.text(b.label, 2000, `${ptr}/label`, true);
        this.text(b.hint, 2000, `${ptr}/hint`, true);
        if (!b.element) this.err('missing required field: element', ptr);
        else this.element(b.element, `${ptr}/element`);
        break;
      case 'rich_text':
        if (!Array.isArray(b.elements)) this.err('missing required field: elements', ptr);
        break;
      case 'markdown':
        if (typeof b.text !== 'string') this.err('missing required field: text', ptr);
        else this.maxLen(b.text, 12000, `${ptr}/text`);
        break;
    }
  }
  blocks(blocks: unknown, ptr: string, surface: 'message' | 'modal') {
    if (!Array.isArray(blocks)) return this.err('must be an array', ptr);
    const max = MAX_BLOCKS[surface];
    if (blocks.length > max) this.err(`no more than ${max} items allowed`, ptr);
    const ids = new Set<string>();
    blocks.forEach((b: Obj, i: number) => {
      this.block(b, `${ptr}/${i}`, surface);
      if (typeof b?.block_id === 'string') {
        if (ids.has(b.block_id)) this.err(`duplicate block_id: ${b.block_id}`, `${ptr}/${i}/block_id`);
        ids.add(b.block_id);
      }
    });
  }
}

/** Problems with a message's blocks; empty when Slack would accept them. */
export function checkMessageBlocks(blocks: unknown): string[] {
  const c = new Checker();
  c.blocks(blocks, '/blocks', 'message');
  return c.messages;
}

/** Problems with a view (modal or home tab); empty when Slack would accept it. */
export function checkView(view: unknown): string[] {
  const c = new Checker();
  if (!view || typeof view !== 'object') {
    c.err('must be an object', '/view');
    return c.messages;
  }
  const v = view as Obj;
  if (v.type !== 'modal' && v.type !== 'home') c.err('must be a valid enum value (modal, home)', '/view/type');
  if (v.type === 'modal') {
    if (!v.title) c.err('missing required field: title', '/view');
    c.text(v.title, 24, '/view/title', true);
    c.text(v.submit, 24, '/view/submit', true);
    c.text(v.close, 24, '/view/close', true);
    const hasInput = Array.isArray(v.blocks) && v.blocks.some((b: Obj) => b?.type === 'input');
    if (hasInput && !v.submit) c.err('must provide submit when view has input blocks', '/view/submit');
  }
  c.maxLen(v.private_metadata, 3000, '/view/private_metadata');
  c.maxLen(v.callback_id, 255, '/view/callback_id');
  c.maxLen(v.external_id, 255, '/view/external_id');
  c.blocks(v.blocks, '/view/blocks', 'modal');
  return c.messages;
}
