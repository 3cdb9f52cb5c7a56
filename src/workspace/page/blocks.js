// Block Kit to DOM. Interactive elements call ctx.onAction(element, block, value); a block or
// element the page cannot draw is shown as an "unsupported" box with its JSON, never dropped.
import { emoji, esc, lookup, mrkdwn, plain, textObject } from './mrkdwn.js';

function el(tag, cls, html) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (html !== undefined) e.innerHTML = html;
  return e;
}

function unsupported(what, obj) {
  const box = el('div', 'unsupported-block');
  box.append(el('div', 'unsupported-title', `Unsupported ${esc(what)}: <code>${esc(obj?.type ?? '?')}</code>`));
  box.append(el('pre', 'unsupported-json', esc(JSON.stringify(obj, null, 2))));
  return box;
}

const optionText = (o) => plain(o?.text?.text ?? o?.value ?? '');

/** Shows a Slack-style confirm dialog; resolves true when confirmed. */
function confirmDialog(c) {
  return new Promise((resolve) => {
    const back = el('div', 'confirm-backdrop');
    const box = el('div', 'confirm-dialog');
    box.setAttribute('role', 'alertdialog');
    box.append(el('h3', '', plain(c.title?.text ?? 'Are you sure?')), el('div', 'confirm-text', textObject(c.text)));
    const row = el('div', 'confirm-buttons');
    const deny = el('button', 'btn', plain(c.deny?.text ?? 'Cancel'));
    const ok = el('button', `btn ${c.style === 'danger' ? 'btn-danger' : 'btn-primary'}`, plain(c.confirm?.text ?? 'Yes'));
    ok.dataset.confirm = 'yes';
    const done = (v) => {
      back.remove();
      resolve(v);
    };
    deny.onclick = () => done(false);
    ok.onclick = () => done(true);
    row.append(deny, ok);
    box.append(row);
    back.append(box);
    document.body.append(back);
  });
}

function button(e, block, ctx) {
  const b = el('button', `btn${e.style === 'primary' ? ' btn-primary' : e.style === 'danger' ? ' btn-danger' : ''}`, plain(e.text?.text));
  b.dataset.actionId = e.action_id;
  b.onclick = async () => {
    if (e.confirm && !(await confirmDialog(e.confirm))) return;
    if (e.url) window.open(e.url, '_blank', 'noopener');
    ctx.onAction(e, block, e.value);
  };
  return b;
}

function select(e, block, ctx, options, placeholder) {
  const s = el('select', 'select');
  s.dataset.actionId = e.action_id;
  s.append(new Option(placeholder ?? 'Select an option', ''));
  for (const o of options) s.append(new Option(o.label, o.value));
  s.value = e.initial_option?.value ?? e.initial_user ?? '';
  if (ctx.onAction && ctx.surface !== 'modal-input') s.onchange = () => s.value && ctx.onAction(e, block, s.value);
  return s;
}

function userOptions() {
  return [...lookup.users.values()].filter((u) => !u.is_bot).map((u) => ({ label: `${u.real_name} (@${u.name})`, value: u.id }));
}

function overflow(e, block, ctx) {
  const wrap = el('div', 'overflow');
  const b = el('button', 'btn overflow-button', '⋯');
  b.setAttribute('aria-label', 'More actions');
  b.dataset.actionId = e.action_id;
  const menu = el('div', 'overflow-menu');
  menu.hidden = true;
  for (const o of e.options ?? []) {
    const item = el('button', 'overflow-item', optionText(o));
    item.onclick = async () => {
      menu.hidden = true;
      if (e.confirm && !(await confirmDialog(e.confirm))) return;
      ctx.onAction(e, block, o.value);
    };
    menu.append(item);
  }
  b.onclick = () => (menu.hidden = !menu.hidden);
  wrap.append(b, menu);
  return wrap;
}

/** An interactive element (accessory, actions element or input element). */
function element(e, block, ctx) {
  switch (e.type) {
    case 'button': return button(e, block, ctx);
    case 'static_select': return select(e, block, ctx, (e.options ?? (e.option_groups ?? []).flatMap((g) => g.options)).map((o) => ({ label: o.text.text, value: o.value })), e.placeholder?.text);
    case 'users_select': return select(e, block, ctx, userOptions(), e.placeholder?.text ?? 'Select a person');
    case 'multi_static_select':
    case 'multi_users_select': {
      const opts = e.type === 'multi_users_select' ? userOptions() : (e.options ?? []).map((o) => ({ label: o.text.text, value: o.value }));
      const s = el('select', 'select multi');
      s.multiple = true;
      const initial = new Set(e.initial_users ?? (e.initial_options ?? []).map((o) => o.value));
      for (const o of opts) s.append(new Option(o.label, o.value, false, initial.has(o.value)));
      return s;
    }
    case 'conversations_select':
    case 'channels_select': {
      const chans = [...lookup.channels.entries()].map(([id, c]) => ({ label: `#${c.name}`, value: id }));
      return select({ ...e, initial_option: { value: e.initial_conversation ?? e.initial_channel } }, block, ctx, chans, e.placeholder?.text ?? 'Select a channel');
    }
    case 'datepicker':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input': {
      const kinds = { datepicker: 'date', number_input: 'number', email_text_input: 'email', url_text_input: 'url' };
      const i = Object.assign(el('input', 'text-input'), { type: kinds[e.type], value: e.initial_date ?? e.initial_value ?? '' });
      if (e.placeholder) i.placeholder = e.placeholder.text;
      if (e.type === 'datepicker' && ctx.onAction && ctx.surface !== 'modal-input') i.onchange = () => ctx.onAction(e, block, i.value);
      return i;
    }
    case 'overflow': return overflow(e, block, ctx);
    case 'image': return Object.assign(el('img', 'accessory-image'), { src: e.image_url, alt: e.alt_text ?? '' });
    case 'plain_text_input': {
      const i = el(e.multiline ? 'textarea' : 'input', 'text-input');
      if (e.placeholder) i.placeholder = e.placeholder.text;
      i.value = e.initial_value ?? '';
      return i;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const box = el('div', 'choices');
      const initial = new Set(e.type === 'checkboxes' ? (e.initial_options ?? []).map((o) => o.value) : [e.initial_option?.value]);
      const name = `${block.block_id}-${e.action_id}-${Math.random().toString(36).slice(2, 7)}`;
      for (const o of e.options ?? []) {
        const label = el('label', 'choice');
        const input = Object.assign(document.createElement('input'), { type: e.type === 'checkboxes' ? 'checkbox' : 'radio', name, value: o.value, checked: initial.has(o.value) });
        label.append(input, el('span', '', textObject(o.text)));
        box.append(label);
      }
      return box;
    }
    default: return unsupported('element', e);
  }
}

function richText(elements) {
  const inlineEl = (x) => {
    let h;
    switch (x.type) {
      case 'text': h = esc(x.text).replace(/\n/g, '<br>'); break;
      case 'link': h = `<a href="${esc(/^(https?:|mailto:)/.test(x.url) ? x.url : '#')}" target="_blank" rel="noopener">${esc(x.text ?? x.url)}</a>`; break;
      case 'user': h = `<span class="mention">@${esc(lookup.users.get(x.user_id)?.name ?? x.user_id)}</span>`; break;
      case 'channel': h = `<span class="mention">#${esc(lookup.channels.get(x.channel_id)?.name ?? x.channel_id)}</span>`; break;
      case 'emoji': h = emoji(x.name); break;
      case 'broadcast': h = `<span class="mention">@${esc(x.range)}</span>`; break;
      default: h = `<span class="unsupported-inline">[${esc(x.type)}]</span>`;
    }
    const s = x.style ?? {};
    if (s.code) h = `<code>${h}</code>`;
    if (s.bold) h = `<b>${h}</b>`;
    if (s.italic) h = `<i>${h}</i>`;
    if (s.strike) h = `<s>${h}</s>`;
    return h;
  };
  const part = (p) => {
    const inner = (p.elements ?? []).map(inlineEl).join('');
    switch (p.type) {
      case 'rich_text_section': return `<div>${inner}</div>`;
      case 'rich_text_preformatted': return `<pre class="code">${inner}</pre>`;
      case 'rich_text_quote': return `<blockquote>${inner}</blockquote>`;
      case 'rich_text_list': {
        const tag = p.style === 'ordered' ? 'ol' : 'ul';
        return `<${tag}>${(p.elements ?? []).map((s) => `<li>${(s.elements ?? []).map(inlineEl).join('')}</li>`).join('')}</${tag}>`;
      }
      default: return `<div class="unsupported-inline">[${esc(p.type)}]</div>`;
    }
  };
  return (elements ?? []).map(part).join('');
}

/** One block. ctx: { onAction, errors: {block_id: message} } */
function block(b, ctx) {
  const wrap = el('div', `block block-${b.type}`);
  wrap.dataset.blockId = b.block_id ?? '';
  switch (b.type) {
    case 'header': wrap.append(el('h3', 'header', plain(b.text?.text))); break;
    case 'divider': wrap.append(el('hr')); break;
    case 'section': {
      const body = el('div', 'section-body');
      if (b.text) body.append(el('div', 'section-text', textObject(b.text)));
      if (b.fields) {
        const grid = el('div', 'fields');
        for (const f of b.fields) grid.append(el('div', 'field', textObject(f)));
        body.append(grid);
      }
      wrap.append(body);
      if (b.accessory) {
        const acc = el('div', 'accessory');
        acc.append(element(b.accessory, b, ctx));
        wrap.append(acc);
      }
      break;
    }
    case 'context':
      for (const e of b.elements ?? []) wrap.append(e.type === 'image' ? Object.assign(el('img', 'context-image'), { src: e.image_url, alt: e.alt_text ?? '' }) : el('span', 'context-text', textObject(e)));
      break;
    case 'image':
      if (b.title) wrap.append(el('div', 'image-title', plain(b.title.text)));
      wrap.append(Object.assign(el('img', 'image'), { src: b.image_url, alt: b.alt_text ?? '' }));
      break;
    case 'actions':
      for (const e of b.elements ?? []) wrap.append(element(e, b, ctx));
      break;
    case 'input': {
      wrap.dataset.inputBlock = '1';
      wrap.dataset.actionId = b.element?.action_id ?? '';
      wrap.dataset.elementType = b.element?.type ?? '';
      const label = el('label', 'input-label', plain(b.label?.text) + (b.optional ? ' <span class="optional">(optional)</span>' : ''));
      wrap.append(label, element(b.element ?? {}, b, { ...ctx, surface: 'modal-input' }));
      if (b.hint) wrap.append(el('div', 'hint', plain(b.hint.text)));
      const err = ctx.errors?.[b.block_id];
      if (err) wrap.append(el('div', 'input-error', esc(err)));
      break;
    }
    case 'rich_text': wrap.innerHTML = richText(b.elements); break;
    case 'markdown': wrap.innerHTML = mrkdwn(b.text); break;
    default: return unsupported('block', b);
  }
  return wrap;
}

export function blocks(list, ctx) {
  const frag = el('div', 'blocks');
  for (const b of list ?? []) frag.append(block(b, ctx));
  return frag;
}

/** The values of input blocks inside `root`, keyed by block_id (what submitView expects). */
export function inputValues(root) {
  const values = {};
  for (const w of root.querySelectorAll('[data-input-block]')) {
    const type = w.dataset.elementType;
    const id = w.dataset.blockId;
    if (type === 'checkboxes') values[id] = [...w.querySelectorAll('input:checked')].map((i) => i.value);
    else if (type === 'radio_buttons') values[id] = w.querySelector('input:checked')?.value ?? '';
    else if (type.startsWith('multi_')) values[id] = [...(w.querySelector('select')?.selectedOptions ?? [])].map((o) => o.value);
    else values[id] = w.querySelector('input, textarea, select')?.value ?? '';
  }
  return values;
}

/** Puts values (from inputValues) back into re-rendered input blocks, as Slack keeps them on views.update. */
export function restoreValues(root, values) {
  for (const w of root.querySelectorAll('[data-input-block]')) {
    const v = values[w.dataset.blockId];
    if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
    const type = w.dataset.elementType;
    if (type === 'checkboxes' || type === 'radio_buttons') {
      const set = new Set(Array.isArray(v) ? v : [v]);
      for (const i of w.querySelectorAll('input')) i.checked = set.has(i.value);
    } else if (type.startsWith('multi_')) {
      for (const o of w.querySelector('select')?.options ?? []) o.selected = v.includes(o.value);
    } else {
      const input = w.querySelector('input, textarea, select');
      if (input) input.value = v;
    }
  }
}
