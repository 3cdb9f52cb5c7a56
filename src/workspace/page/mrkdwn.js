// Slack mrkdwn to safe HTML: bold, italic, strike, inline code, code blocks, quotes, links,
// user/channel/group mentions, emoji shortcodes. Everything else is escaped.

/** Names for mentions and emoji; app.js fills these from the workspace (unknown shortcodes stay text). */
export const lookup = { users: new Map(), channels: new Map(), emoji: new Map() };

/** `:name:` as its emoji, or as text when the name is unknown (as Slack shows a missing custom emoji). */
export function emoji(name) {
  const e = lookup.emoji.get(name);
  return e ? `<span class="emoji" title=":${esc(name)}:">${e}</span>` : `<span class="emoji">:${esc(name)}:</span>`;
}
const shortcodes = (html) => html.replace(/:([a-z0-9_+-]+):/g, (_, name) => emoji(name));

export function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Slack escapes &, < and > in message text; turn them back before escaping for HTML. */
function dec(s) {
  return String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function safeUrl(u) {
  return /^(https?:|mailto:)/i.test(u) ? u : '#';
}

function userName(id) {
  const u = lookup.users.get(id);
  return u ? u.name : id;
}

function ago(ms) {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} days ago`;
}

/** `<!date^epoch^{token} text^link|fallback>` in the reader's local time, as Slack shows it. */
function formatDate(epoch, format) {
  const d = new Date(Number(epoch) * 1000);
  if (Number.isNaN(d.getTime())) return null;
  const day = (o) => d.toLocaleDateString(undefined, o);
  const tokens = {
    date_num: `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`,
    date: day({ month: 'long', day: 'numeric', year: 'numeric' }),
    date_short: day({ month: 'short', day: 'numeric', year: 'numeric' }),
    date_long: day({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    time: d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    time_secs: d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    ago: ago(d.getTime()),
  };
  for (const k of ['date', 'date_short', 'date_long']) tokens[`${k}_pretty`] = tokens[k];
  return format.replace(/\{(\w+)\}/g, (m, k) => tokens[k] ?? m);
}

/** One `<...>` control sequence: mention, channel, date, special mention or link. */
function control(inner) {
  const [target, label] = inner.split('|');
  if (target.startsWith('!date^')) {
    const [, epoch, format = '{date_short}', link] = target.split('^');
    const text = formatDate(epoch, format) ?? label ?? '';
    return link ? `<a href="${esc(safeUrl(link))}" target="_blank" rel="noopener">${esc(text)}</a>` : `<span class="date">${esc(text)}</span>`;
  }
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention" data-user="${esc(id)}">@${esc(label || userName(id))}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = label || lookup.channels.get(id)?.name || id;
    return `<a class="mention channel-link" href="#" data-channel="${esc(id)}">#${esc(name)}</a>`;
  }
  if (target.startsWith('!subteam^')) return `<span class="mention">${esc(label || '@group')}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${esc(target.slice(1).split('^')[0])}</span>`;
  return `<a href="${esc(safeUrl(dec(target)))}" target="_blank" rel="noopener">${esc(dec(label || target))}</a>`;
}

const BOUND_L = '(^|[\\s(\\[{"\'>\\u0000])';
const BOUND_R = '(?=$|[\\s)\\]}.,!?:;"\'<\\u0000])';
const fmt = (ch, tag) => [new RegExp(`${BOUND_L}\\${ch}([^\\${ch}\\n]+?)\\${ch}${BOUND_R}`, 'g'), `$1<${tag}>$2</${tag}>`];
const FORMATS = [fmt('*', 'b'), fmt('_', 'i'), fmt('~', 's')];

function inline(src) {
  const slots = [];
  const put = (html) => `\u0000${slots.push(html) - 1}\u0000`;
  let s = src.replace(/`([^`\n]+)`/g, (_, c) => put(`<code>${esc(dec(c))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => put(control(inner)));
  s = esc(dec(s));
  for (const [re, rep] of FORMATS) s = s.replace(re, rep);
  s = shortcodes(s);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => slots[Number(i)]);
}

function lines(text) {
  const out = [];
  let quote = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of text.split('\n')) {
    const m = /^(?:&gt;|>)\s?(.*)$/.exec(line);
    if (m) quote.push(inline(m[1]));
    else {
      flush();
      out.push(inline(line));
    }
  }
  flush();
  return out.join('<br>').replace(/<br>(<blockquote>)/g, '$1').replace(/(<\/blockquote>)<br>/g, '$1');
}

/** mrkdwn text to HTML. */
export function mrkdwn(text) {
  const parts = String(text ?? '').split('```');
  return parts.map((part, i) => (i % 2 === 1 ? `<pre class="code">${esc(dec(part.replace(/^\n/, '')))}</pre>` : lines(part))).join('');
}

/** plain_text to HTML (escaped; shortcodes shown as emoji, as Slack does with `emoji: true`, the default). */
export function plain(text, withEmoji = true) {
  const html = esc(dec(text ?? ''));
  return withEmoji ? shortcodes(html) : html;
}

/** A text object ({type: plain_text|mrkdwn, text}) to HTML. */
export function textObject(t) {
  if (!t) return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text) : plain(t.text, t.emoji !== false);
}
