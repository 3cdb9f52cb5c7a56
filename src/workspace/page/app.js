// The local workspace page: channels, messages, threads, composer, user switcher, modals.
// State lives on the server; the page refetches it whenever a server-sent event says it changed.
import { blocks, inputValues, restoreValues } from './blocks.js';
import { esc, lookup, mrkdwn } from './mrkdwn.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const view = {
  me: params.get('as') || localStorage.getItem('ws.as') || 'U0ALICE',
  channel: /^\/archives\/([A-Z0-9]+)/.exec(location.pathname)?.[1] || localStorage.getItem('ws.channel') || '',
  thread: params.get('thread_ts') || localStorage.getItem('ws.thread') || '',
  highlight: /\/p(\d+)(\d{6})$/.exec(location.pathname)?.slice(1, 3).join('.') || '',
  data: null,
  modalKey: '',
};

function remember() {
  localStorage.setItem('ws.as', view.me);
  localStorage.setItem('ws.channel', view.channel);
  localStorage.setItem('ws.thread', view.thread);
  const q = new URLSearchParams({ as: view.me });
  if (view.thread) q.set('thread_ts', view.thread);
  history.replaceState(null, '', `/archives/${view.channel}?${q}`);
}

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}

async function post(path, body) {
  const res = await fetch(`/ws/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: view.me, ...body }) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) toast(json.error ?? `request failed (${res.status})`);
  else if (json.status !== undefined && json.status !== 200 && !json.clientErrors) toast(`The app did not answer (HTTP ${json.status}).`);
  return json;
}

async function refresh() {
  const q = new URLSearchParams({ user: view.me, channel: view.channel });
  if (view.thread) q.set('thread', view.thread);
  const res = await fetch(`/ws/state?${q}`);
  if (!res.ok) {
    // a remembered channel or thread that no longer exists: fall back to the default
    if (view.channel || view.thread) {
      view.channel = '';
      view.thread = '';
      return refresh();
    }
    return;
  }
  const data = await res.json();
  view.data = data;
  view.channel = data.channel;
  lookup.users = new Map(data.users.map((u) => [u.id, u]));
  lookup.channels = new Map(data.channels.map((c) => [c.id, c]));
  if (view.thread && !data.threadMessages.length) view.thread = '';
  remember();
  render();
}

let pending;
function scheduleRefresh() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 30);
}

function author(m) {
  if (m.user === 'USLACKBOT') return { name: 'Slackbot', bot: true };
  const u = lookup.users.get(m.user);
  return { name: u?.real_name ?? m.username ?? m.user, bot: Boolean(m.bot_id || u?.is_bot) };
}

const time = (ts) => new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function messageEl(m, inThread) {
  const row = document.createElement('div');
  row.className = `message${m.ephemeral ? ' ephemeral' : ''}${m.ts === view.highlight ? ' highlight' : ''}`;
  row.dataset.ts = m.ts;
  const a = author(m);
  row.innerHTML = `<div class="avatar${a.bot ? ' bot' : ''}">${esc(a.name[0] ?? '?')}</div><div class="content"><div class="meta"><span class="author">${esc(a.name)}</span>${a.bot ? '<span class="app-tag">APP</span>' : ''}<span class="time">${time(m.ts)}</span>${m.edited ? '<span class="edited">(edited)</span>' : ''}${m.ephemeral ? '<span class="ephemeral-note">Only visible to you</span>' : ''}</div></div>`;
  const content = row.querySelector('.content');
  if (!m.ephemeral && view.data.shortcuts?.length) row.querySelector('.meta').append(shortcutMenu(m));
  const onAction = (element, block, value) => post('action', { channel: m.channel, ts: m.ts, actionId: element.action_id, blockId: block.block_id, value, values: inputValues(row) });
  if (m.blocks?.length) content.append(blocks(m.blocks, { onAction }));
  else content.insertAdjacentHTML('beforeend', `<div class="body">${mrkdwn(m.text)}</div>`);
  for (const att of m.attachments ?? []) {
    const box = document.createElement('div');
    box.className = 'attachment';
    if (att.color) box.style.borderLeftColor = att.color.startsWith('#') ? att.color : `#${att.color}`;
    box.innerHTML = [att.pretext, att.title && `*${att.title}*`, att.text].filter(Boolean).map(mrkdwn).join('<br>');
    if (att.blocks) box.append(blocks(att.blocks, { onAction }));
    content.append(box);
  }
  for (const f of m.files ?? []) content.insertAdjacentHTML('beforeend', `<a class="file" href="${esc(f.url_private)}" target="_blank">📄 ${esc(f.title || f.name)}</a>`);
  if (m.reactions?.length) content.insertAdjacentHTML('beforeend', `<div class="reactions">${m.reactions.map((r) => `<span class="reaction">:${esc(r.name)}: ${r.count}</span>`).join('')}</div>`);
  if (!inThread && m.reply_count) {
    const link = document.createElement('button');
    link.className = 'reply-link';
    link.textContent = `${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}`;
    link.onclick = () => openThread(m.ts);
    content.append(link);
  } else if (!inThread && !m.ephemeral && !m.thread_ts) {
    row.ondblclick = () => openThread(m.ts);
  }
  return row;
}

// The "…" menu on a message: the app's message shortcuts.
function shortcutMenu(m) {
  const wrap = document.createElement('span');
  wrap.className = 'message-actions';
  const toggle = document.createElement('button');
  toggle.className = 'icon-button message-more';
  toggle.setAttribute('aria-label', 'More actions');
  toggle.textContent = '⋯';
  const menu = document.createElement('div');
  menu.className = 'shortcut-menu';
  menu.hidden = true;
  for (const s of view.data.shortcuts) {
    const item = document.createElement('button');
    item.className = 'shortcut-item';
    item.textContent = s.name;
    item.onclick = () => {
      menu.hidden = true;
      void post('shortcut', { channel: m.channel, ts: m.ts, callbackId: s.callback_id });
    };
    menu.append(item);
  }
  toggle.onclick = (e) => {
    e.stopPropagation();
    menu.hidden = !menu.hidden;
  };
  wrap.append(toggle, menu);
  return wrap;
}

function fillMessages(box, list, inThread) {
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...list.map((m) => messageEl(m, inThread)));
  if (!list.length) box.innerHTML = '<div class="empty">No messages yet.</div>';
  if (atBottom || !box.dataset.filled) box.scrollTop = box.scrollHeight;
  box.dataset.filled = '1';
}

function render() {
  const d = view.data;
  $('team-name').textContent = d.team.name;
  const switcher = $('user-switcher');
  if (!switcher.options.length) for (const u of d.users.filter((x) => !x.is_bot)) switcher.append(new Option(`${u.real_name} (@${u.name})`, u.id));
  switcher.value = view.me;
  const link = (c) => `<li><a href="/archives/${c.id}" data-channel="${c.id}" class="${c.id === view.channel ? 'active' : ''}">${c.is_im ? '' : '# '}${esc(c.name)}</a></li>`;
  $('channel-list').innerHTML = d.channels.filter((c) => !c.is_im).map(link).join('');
  $('dm-list').innerHTML = d.channels.filter((c) => c.is_im).map(link).join('');
  const ch = lookup.channels.get(view.channel);
  $('channel-header').textContent = ch ? `${ch.is_im ? '' : '# '}${ch.name}` : '';
  fillMessages($('messages'), d.messages, false);
  $('thread-pane').hidden = !view.thread;
  if (view.thread) fillMessages($('thread-messages'), d.threadMessages, true);
  renderModal(d.modals);
}

function openThread(ts) {
  view.thread = ts;
  scheduleRefresh();
}

// ---- modals ----
function renderModal(stack) {
  const top = stack[stack.length - 1];
  const root = $('modal-root');
  const key = top ? `${top.id}:${top.hash}` : '';
  if (key && key === view.modalKey) return updateModalErrors(root, top.errors);
  const sameView = top && view.modalKey.startsWith(`${top.id}:`);
  const kept = sameView ? inputValues(root) : {};
  view.modalKey = key;
  root.replaceChildren();
  if (!top) return;
  const back = document.createElement('div');
  back.className = 'modal-backdrop';
  const modal = document.createElement('div');
  modal.className = 'modal';
  modal.setAttribute('role', 'dialog');
  modal.dataset.viewId = top.id;
  modal.innerHTML = `<div class="modal-head">${stack.length > 1 ? '<button class="icon-button modal-back" aria-label="Back">←</button>' : ''}<h2 class="modal-title">${esc(top.title?.text ?? '')}</h2><button class="icon-button modal-x" aria-label="Close">✕</button></div><div class="modal-body"></div><div class="modal-problem"></div><div class="modal-foot"></div>`;
  const onAction = (element, block, value) => post('action', { viewId: top.id, actionId: element.action_id, blockId: block.block_id, value, values: inputValues(modal) });
  modal.querySelector('.modal-body').append(blocks(top.blocks, { onAction, errors: top.errors }));
  const close = () => post('close', { viewId: top.id });
  const foot = modal.querySelector('.modal-foot');
  const cancel = document.createElement('button');
  cancel.className = 'btn modal-cancel';
  cancel.textContent = top.close?.text ?? 'Cancel';
  cancel.onclick = close;
  foot.append(cancel);
  if (top.submit) {
    const submit = document.createElement('button');
    submit.className = 'btn btn-primary modal-submit';
    submit.textContent = top.submit.text;
    submit.onclick = async () => {
      submit.disabled = true;
      const r = await post('submit', { viewId: top.id, values: inputValues(modal) }).finally(() => (submit.disabled = false));
      if (r.problems?.length) modal.querySelector('.modal-problem').textContent = r.problems.join(' ');
    };
    foot.append(submit);
  }
  modal.querySelector('.modal-x').onclick = close;
  const backBtn = modal.querySelector('.modal-back');
  if (backBtn) backBtn.onclick = close;
  back.append(modal);
  root.append(back);
  if (sameView) restoreValues(modal, kept);
}

function updateModalErrors(root, errors) {
  for (const w of root.querySelectorAll('[data-input-block]')) {
    w.querySelector('.input-error')?.remove();
    const err = errors?.[w.dataset.blockId];
    if (err) w.insertAdjacentHTML('beforeend', `<div class="input-error">${esc(err)}</div>`);
  }
}

// ---- wiring ----
function composer(form, input, threadOf) {
  form.onsubmit = async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const r = await post('send', { channel: view.channel, text, threadTs: threadOf() || undefined });
    if (r.ok) input.value = '';
  };
  input.onkeydown = (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  };
}

composer($('composer'), $('composer-input'), () => '');
composer($('thread-composer'), $('thread-input'), () => view.thread);
$('thread-close').onclick = () => {
  view.thread = '';
  scheduleRefresh();
};
$('user-switcher').onchange = (e) => {
  view.me = e.target.value;
  view.modalKey = '';
  scheduleRefresh();
};
$('menu-toggle').onclick = () => document.body.classList.toggle('nav-open');
document.addEventListener('click', (e) => {
  const a = e.target.closest('[data-channel]');
  if (!a) return;
  e.preventDefault();
  view.channel = a.dataset.channel;
  view.thread = '';
  document.body.classList.remove('nav-open');
  scheduleRefresh();
});

const stream = new EventSource('/ws/stream');
stream.onmessage = scheduleRefresh;
stream.onopen = scheduleRefresh;
void refresh(); // a failed first fetch is retried when the stream opens
fetch('/ws/emoji').then((r) => r.json()).then((table) => {
  lookup.emoji = new Map(Object.entries(table));
  if (view.data) render();
}, () => {}); // without the table, shortcodes stay text
