// The browser page: static files under page/, a state snapshot per user, and the actions a
// user takes (composer, clicks, message shortcuts, modal submit/close), which go to the app as Slack would send them.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { publicView } from './api/views.js';
import { emojiTable } from './emoji.js';
import { escapeMessageText } from './driver/slash-text.js';
import { readBody, sendJson, sendText } from './http.js';
import type { Driver } from './driver/driver.js';
import type { EventHub } from './events.js';
import type { State } from './state.js';

/** What the page needs of the workspace (workspace.ts passes itself). */
export type PageWorkspace = Pick<Driver, 'slash' | 'message' | 'click' | 'shortcut' | 'submitView' | 'closeView'> & {
  readonly state: State;
  readonly events: EventHub;
  readonly shortcuts: readonly { callback_id: string; name: string }[];
};

const PAGE_DIR = new URL('./page/', import.meta.url);
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

async function serveStatic(res: ServerResponse, name: string): Promise<void> {
  if (!/^[a-z0-9-]+\.(html|js|css|svg)$/.test(name)) return sendText(res, 404, 'not found');
  try {
    const body = await readFile(new URL(name, PAGE_DIR));
    res.writeHead(200, { 'content-type': TYPES[extname(name)], 'cache-control': 'no-cache' });
    res.end(body);
  } catch {
    sendText(res, 404, 'not found');
  }
}

/** Everything the page shows to `user`: channels, the open channel, the open thread, modals. */
function snapshot(ws: PageWorkspace, user: string, channel: string, thread?: string): Record<string, unknown> {
  const d = ws.state.data;
  const visible = (m: { channel: string }) => m.channel === channel;
  const mine = d.ephemerals.filter((e) => e.ephemeral_for === user && visible(e)).map((e) => ({ ...e, ephemeral: true }));
  const top = [...d.messages.filter((m) => visible(m) && (!m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')), ...mine.filter((e) => !e.thread_ts)];
  const inThread = thread ? [...d.messages.filter((m) => visible(m) && (m.ts === thread || m.thread_ts === thread)), ...mine.filter((e) => e.thread_ts === thread)] : [];
  const byTs = (a: { ts: string }, b: { ts: string }) => Number(a.ts) - Number(b.ts);
  const stack = (d.stacks[user] ?? []).map((id) => ws.state.view(id)).filter((v) => v !== undefined);
  return {
    team: d.team, bot: d.bot, me: user,
    users: d.users.map((u) => ({ id: u.id, name: u.name, real_name: u.real_name, is_bot: Boolean(u.is_bot) })),
    channels: d.channels.filter((c) => !c.is_im || c.user === user).map((c) => ({ id: c.id, name: c.is_im ? `${d.bot.name}` : c.name, is_im: Boolean(c.is_im) })),
    channel, thread: thread ?? null,
    messages: top.sort(byTs), threadMessages: inThread.sort(byTs),
    modals: stack.map((v) => ({ ...publicView(v), errors: d.viewErrors[v.id] ?? {} })),
    shortcuts: ws.shortcuts.map((s) => ({ callback_id: s.callback_id, name: s.name })),
  };
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, any>> {
  const raw = (await readBody(req, 1024 * 1024)).toString('utf8');
  return raw ? JSON.parse(raw) : {};
}

/** Runs one page request; a thrown error becomes a 400 with its message (nothing is lost). */
async function act(ws: PageWorkspace, path: string, body: Record<string, any>): Promise<unknown> {
  const user = String(body.user ?? '');
  if (!ws.state.user(user)) throw new Error(`unknown user ${user}`);
  switch (path) {
    case 'send': {
      const text = String(body.text ?? '').trim();
      if (!text) throw new Error('empty message');
      if (text.startsWith('/')) {
        const command = text.split(/\s+/)[0];
        const r = await ws.slash(user, body.channel, text.slice(command.length).trim(), { command, threadTs: body.threadTs || undefined });
        return { status: r.status, slash: command };
      }
      const r = await ws.message(user, body.channel, escapeMessageText(ws.state.data, text), body.threadTs || undefined);
      return { ts: r.ts };
    }
    case 'action': {
      const target = body.viewId ? { viewId: String(body.viewId) } : { channel: String(body.channel), ts: String(body.ts) };
      const r = await ws.click(user, target, String(body.actionId), { value: body.value ?? undefined, blockId: body.blockId ?? undefined, values: body.values });
      return { status: r.status };
    }
    case 'shortcut': {
      const r = await ws.shortcut(user, { channel: String(body.channel), ts: String(body.ts) }, String(body.callbackId));
      return { status: r.status };
    }
    case 'submit': {
      const r = await ws.submitView(user, String(body.viewId), body.values ?? {});
      return { status: r.status, responseAction: r.responseAction, errors: r.errors, clientErrors: r.clientErrors, problems: r.problems };
    }
    case 'close':
      await ws.closeView(user, String(body.viewId));
      return {};
    default:
      throw new Error(`unknown page action ${path}`);
  }
}

export function handlePage(ws: PageWorkspace, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const p = url.pathname;
  const fail = (e: Error) => (res.headersSent ? res.end() : sendJson(res, 400, { ok: false, error: e.message }));
  if (req.method === 'GET' && (p === '/' || p.startsWith('/archives/'))) {
    serveStatic(res, 'index.html').catch(fail);
    return true;
  }
  if (req.method === 'GET' && p.startsWith('/page/')) {
    serveStatic(res, p.slice(6)).catch(fail);
    return true;
  }
  if (req.method === 'GET' && p === '/ws/emoji') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=86400' }).end(JSON.stringify(emojiTable()));
    return true;
  }
  if (req.method === 'GET' && p === '/ws/stream') {
    ws.events.subscribe(res);
    return true;
  }
  if (req.method === 'GET' && p === '/ws/state') {
    const user = url.searchParams.get('user') ?? '';
    const channel = url.searchParams.get('channel') || ws.state.data.channels[0].id;
    if (!ws.state.user(user) || !ws.state.channel(channel)) sendJson(res, 404, { ok: false, error: 'unknown user or channel' });
    else sendJson(res, 200, snapshot(ws, user, channel, url.searchParams.get('thread') ?? undefined));
    return true;
  }
  if (req.method === 'POST' && p.startsWith('/ws/')) {
    jsonBody(req)
      .then((body) => act(ws, p.slice(4), body))
      .then((r) => sendJson(res, 200, { ok: true, ...(r as object) }), fail);
    return true;
  }
  return false;
}
