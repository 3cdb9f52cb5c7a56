import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
/** A mount answers the requests it knows (returns true) and leaves the rest. */
export type Mount = (req: IncomingMessage, res: ServerResponse) => boolean;

const FIVE_MINUTES = 5 * 60;

/**
 * Refuses Slack requests whose signature headers are missing or whose timestamp is more than five
 * minutes from now in either direction, before Bolt parses anything (Bolt accepts future ones).
 */
function slackHeadersOk(req: IncomingMessage, nowMs = Date.now()): boolean {
  const ts = Number(req.headers['x-slack-request-timestamp']);
  const sig = req.headers['x-slack-signature'];
  if (!Number.isFinite(ts) || typeof sig !== 'string' || !sig.startsWith('v0=')) return false;
  return Math.abs(nowMs / 1000 - ts) <= FIVE_MINUTES;
}

export interface Routes {
  slack?: Route;
  pagerduty?: Route;
  /** POST /alerts/alertmanager, /alerts/grafana (src/alerts/); absent without OPSROOM_ALERTS_TOKEN, so 404. */
  alerts?: Route;
  health: Route;
  /** GET /readyz: database, migrations, Slack auth (src/ops/readiness.ts). */
  ready?: Route;
  /** GET /metrics: Prometheus text (src/metrics.ts). */
  metrics?: Route;
  /** Asked first: false when it has answered the request itself (503 while shutting down). */
  admit?: (req: IncomingMessage, res: ServerResponse) => boolean;
  mounts?: Mount[];
}

export interface BoundHttp {
  server: Server;
  port: number;
  url: string;
  /** Serves these routes from now on; once. */
  mount(routes: Routes): void;
  close(): Promise<void>;
}

/**
 * Binds the port before the parts exist, because the local workspace needs its URL (with PORT=0
 * the port is known only once bound). Until `mount`, requests pass `starting`'s admit, then
 * /healthz answers and everything else gets `starting.slack` (Slack) or 503 "starting". The
 * routes are mounted last, once every part is ready, so a 200 from /readyz means requests are served.
 */
export async function bindHttp(port: number, host: string, starting: Pick<Routes, 'health' | 'slack' | 'admit'>): Promise<BoundHttp> {
  const early = routeRequests({
    ...starting,
    mounts: [(req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('starting\n');
      return true;
    }],
  });
  let handle: RequestListener = early;
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server, port: bound, url: `http://${host}:${bound}`,
    mount(routes) {
      if (handle !== early) throw new Error('the routes are mounted already');
      handle = routeRequests(routes);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}

/** One HTTP server for Slack, PagerDuty, health and (locally) the workspace. */
function routeRequests(routes: Routes): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (routes.admit && !routes.admit(req, res)) return;
    if (req.method === 'POST' && path === '/slack/events' && routes.slack) {
      if (!slackHeadersOk(req)) {
        res.writeHead(401).end();
        req.resume();
        return;
      }
      return void routes.slack(req, res);
    }
    if (req.method === 'POST' && path === '/pagerduty/webhook' && routes.pagerduty) return void routes.pagerduty(req, res);
    if (path.startsWith('/alerts/') && routes.alerts) return void routes.alerts(req, res);
    if (req.method === 'GET' && path === '/healthz') return void routes.health(req, res);
    if (req.method === 'GET' && path === '/readyz' && routes.ready) return void routes.ready(req, res);
    if (req.method === 'GET' && path === '/metrics' && routes.metrics) return void routes.metrics(req, res);
    for (const mount of routes.mounts ?? []) if (mount(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  };
}
