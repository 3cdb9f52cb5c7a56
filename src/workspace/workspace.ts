// The local Slack workspace: a stateful Web API under /api/, response URLs, file uploads, the
// request side (slash commands, clicks, modal submissions, messages) and the browser page.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ApiCall, type Failure, Failures, callApi } from './api/index.js';
import type { ApiContext, WorkspaceEvent } from './api/context.js';
import { receiveUpload } from './api/files.js';
import { Driver, type DriverConfig } from './driver/driver.js';
import { EventHub } from './events.js';
import { parseArgs, readBody, sendJson, sendText } from './http.js';
import { handlePage } from './page-routes.js';
import { ResponseUrls } from './response-url.js';
import { SocketHub } from './socket-mode.js';
import { type SeedOptions, State, seedState } from './state.js';
import { Triggers } from './triggers.js';

export type WorkspaceOptions = SeedOptions & {
  /** the bot token the Web API accepts (default `xoxb-local-workspace`) */
  botToken?: string;
  /** the secret requests to the app are signed with (default `local-signing-secret`) */
  signingSecret?: string;
  /** where slash commands and interactions go, e.g. http://127.0.0.1:3000/slack/events */
  appUrl?: string;
  /** where Events API callbacks go (default: appUrl) */
  eventsUrl?: string;
  /** the workspace's own public origin (response_url, upload URL, permalinks); default: from listen() or the Host header */
  origin?: string;
  /** save state to this JSON file and load it on start */
  persistPath?: string;
  /** the app's slash commands (manifest.yml); another typed command is refused as Slack does */
  commands?: readonly string[];
  /** the app's message shortcuts (manifest.yml), offered in the page's "…" menu on a message */
  shortcuts?: readonly { callback_id: string; name: string }[];
};

export class Workspace {
  readonly botToken: string;
  readonly signingSecret: string;
  readonly verificationToken = 'local-verification-token';
  appUrl?: string;
  eventsUrl?: string;
  origin?: string;
  readonly state: State;
  readonly triggers = new Triggers();
  readonly failures = new Failures();
  readonly events = new EventHub();
  readonly responses = new ResponseUrls();
  readonly driver: Driver;
  /** Socket Mode: while the app holds a connection, requests go over it instead of HTTP. */
  readonly sockets = new SocketHub();
  readonly ctx: ApiContext;
  private readonly log: ApiCall[] = [];
  private server?: Server;

  private readonly seed: WorkspaceOptions;

  constructor(options: WorkspaceOptions = {}) {
    this.seed = options;
    this.botToken = options.botToken ?? 'xoxb-local-workspace';
    this.signingSecret = options.signingSecret ?? 'local-signing-secret';
    this.appUrl = options.appUrl;
    this.eventsUrl = options.eventsUrl;
    this.origin = options.origin?.replace(/\/$/, '');
    this.state = new State(options, options.persistPath);
    this.ctx = {
      state: this.state,
      triggers: this.triggers,
      origin: () => this.origin ?? 'http://127.0.0.1',
      emit: (e: WorkspaceEvent) => this.events.send(e),
    };
    const config = (): DriverConfig => ({ appUrl: this.appUrl, eventsUrl: this.eventsUrl ?? this.appUrl, signingSecret: this.signingSecret, verificationToken: this.verificationToken, socket: this.sockets, commands: options.commands, shortcuts: options.shortcuts });
    this.driver = new Driver(this.ctx, this.responses, config);
  }

  /** Base URL of the Web API, for Bolt's `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `${this.ctx.origin()}/api/`;
  }

  // ---- failure injection and the call log ----
  /** The next `times` calls of `method` ('*' for any) answer with this failure. */
  failNext(method: string, failure: Failure, times = 1): void {
    this.failures.failNext(method, failure, times);
  }
  /** Every method answers with this failure for `ms` milliseconds. */
  failAll(failure: Failure, ms: number): void {
    this.failures.failAll(failure, ms);
  }
  /** The next `times` calls of `method` ('*' for any) are handled `ms` later, then as usual. */
  delayNext(method: string, ms: number, times = 1): void {
    this.failures.delayNext(method, ms, times);
  }
  clearFailures(): void {
    this.failures.clear();
  }
  /** Back to the seeded state (users, channels; no messages, views or files); clears the call log. */
  reset(): void {
    this.state.data = seedState(this.seed);
    this.log.length = 0;
    this.failures.clear();
    this.state.changed();
    this.events.send({ type: 'reset' });
  }

  /** Recorded Web API calls (and response_url posts as method `response_url`), oldest first. */
  calls(method?: string): ApiCall[] {
    return method ? this.log.filter((c) => c.method === method) : [...this.log];
  }

  // ---- the request side (see Driver) ----
  slash: Driver['slash'] = (...a) => this.driver.slash(...a);
  click: Driver['click'] = (...a) => this.driver.click(...a);
  submitView: Driver['submitView'] = (...a) => this.driver.submitView(...a);
  closeView: Driver['closeView'] = (...a) => this.driver.closeView(...a);
  message: Driver['message'] = (...a) => this.driver.message(...a);
  shortcut: Driver['shortcut'] = (...a) => this.driver.shortcut(...a);
  appMessage: Driver['appMessage'] = (...a) => this.driver.appMessage(...a);
  /** The app's message shortcuts, as the page's "…" menu offers them. */
  get shortcuts(): readonly { callback_id: string; name: string }[] {
    return this.seed.shortcuts ?? [];
  }
  sendRaw: Driver['sendRaw'] = (...a) => this.driver.sendRaw(...a);

  /** A request listener serving the workspace's paths and passing every other request to `next`. */
  listener(next: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (!this.handle(req, res)) next(req, res);
    };
  }

  /** Handles the workspace's own paths; returns false (and leaves `res` alone) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    const p = url.pathname;
    if (!this.origin && req.headers.host) this.origin = `http://${req.headers.host}`;
    const run = (fn: () => Promise<void>) => {
      fn().catch((e: Error) => {
        if (!res.headersSent) sendJson(res, 400, { ok: false, error: 'invalid_request', detail: e.message });
        else res.end();
      });
      return true;
    };
    if (p.startsWith('/api/')) return run(() => this.serveApi(req, res, url, p.slice(5)));
    if (p.startsWith('/response/') && req.method === 'POST') return run(() => this.serveResponse(req, res, p.slice(10)));
    if (p.startsWith('/upload/') && req.method === 'POST') return run(() => this.serveUpload(req, res, p.slice(8)));
    if (p.startsWith('/files/') && req.method === 'GET') return run(async () => this.serveFile(res, p.split('/')[2]));
    return handlePage(this, req, res, url);
  }

  private async serveApi(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const args = await parseArgs(req, await readBody(req), url);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    if (method === 'apps.connections.open') return this.openConnection(res, args, token);
    const answer = await callApi(this.ctx, this.failures, method, args, token, this.botToken);
    this.log.push({ method, args, at: new Date(), status: answer.status, response: answer.body });
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  /** apps.connections.open takes an app-level token (xapp-) and answers a WebSocket URL. */
  private openConnection(res: ServerResponse, args: Record<string, unknown>, token: string | undefined): void {
    const failure = this.failures.take('apps.connections.open');
    let status = 200;
    let body: Record<string, unknown>;
    if (failure) {
      status = failure.status;
      body = { ok: false, error: failure.status === 429 ? 'ratelimited' : failure.error ?? 'fatal_error' };
    } else if (!token) body = { ok: false, error: 'not_authed' };
    else if (!token.startsWith('xapp-')) body = { ok: false, error: token.startsWith('xox') ? 'not_allowed_token_type' : 'invalid_auth' };
    else body = { ok: true, url: this.sockets.open(this.ctx.origin()) };
    this.log.push({ method: 'apps.connections.open', args, at: new Date(), status, response: body });
    sendJson(res, status, body, failure?.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {});
  }

  /** Handles a WebSocket upgrade to the workspace's Socket Mode URL; false for any other path. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean {
    return this.sockets.upgrade(req, socket);
  }

  private async serveResponse(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const body = await readBody(req);
    const args = await parseArgs(req, body, new URL('http://local/'));
    const failure = this.failures.take('response_url');
    const answer = failure ? { status: failure.status, body: { ok: false, error: failure.error ?? 'fatal_error' } } : this.responses.post(this.ctx, id, args);
    this.log.push({ method: 'response_url', args, at: new Date(), status: answer.status, response: answer.body });
    sendJson(res, answer.status, answer.body);
  }

  private async serveUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const body = await readBody(req);
    let bytes = body;
    if (String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      const args = await parseArgs(req, body, new URL('http://local/'));
      const part = Object.values(args).find((v) => Buffer.isBuffer(v)) ?? Object.values(args)[0];
      bytes = Buffer.isBuffer(part) ? part : Buffer.from(String(part ?? ''));
    }
    const ok = receiveUpload(this.ctx, fileId, bytes);
    this.log.push({ method: 'upload', args: { file_id: fileId, length: bytes.length }, at: new Date(), status: ok ? 200 : 404, response: null });
    sendText(res, ok ? 200 : 404, ok ? `OK - ${bytes.length}` : 'file_not_found');
  }

  private serveFile(res: ServerResponse, id: string | undefined): void {
    const f = this.state.data.files.find((x) => x.id === id);
    if (!f || f.content === undefined) return sendText(res, 404, 'file_not_found');
    const bytes = Buffer.from(f.content, 'base64');
    res.writeHead(200, { 'content-type': f.mimetype, 'content-length': bytes.length });
    res.end(bytes);
  }

  /** Starts a standalone server (port 0: a free port); returns its origin. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      if (!this.handle(req, res)) sendText(res, 404, 'not found');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      if (!this.upgrade(req, socket)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    this.server = server;
    const addr = server.address() as AddressInfo;
    this.origin ??= `http://${host}:${addr.port}`;
    return this.origin;
  }

  async close(): Promise<void> {
    this.events.close();
    this.sockets.close();
    this.state.flush();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
