/**
 * HTTP (part of the composition root): the routes while starting (/healthz only) and once every
 * part is ready (Slack, PagerDuty, alerts, readiness, metrics, the local workspace).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '#src/log.js';
import type { Metrics } from '#src/metrics.js';
import { observedSlackRoute, readiness, type RequestGate } from '#ops/index.js';
import type { Mount, Route, Routes } from '#src/server.js';
import type { Database } from '#store/index.js';

const health: Route = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}\n');
};

/** While starting: the gate, /healthz, and Slack requests answered 503 "starting" (logged and timed). */
export const startingRoutes = (o: { gate: RequestGate; metrics: Metrics; log: Logger }): Pick<Routes, 'health' | 'slack' | 'admit'> => ({
  admit: o.gate.admit, health, slack: observedSlackRoute(undefined, o),
});

export interface ServingSetup {
  gate: RequestGate;
  metrics: Metrics;
  log: Logger;
  database: Database;
  /** Throws when Slack refuses the token (readiness). */
  slackAuth: () => Promise<unknown>;
  /** Bolt's HTTP listener; absent in Socket Mode (Slack requests get 503). */
  slack?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Absent without PagerDuty: 404. */
  pagerduty?: Route;
  /** Absent without OPSROOM_ALERTS_TOKEN: 404. */
  alerts?: Route;
  mounts: Mount[];
}

export function servingRoutes(o: ServingSetup): Routes {
  return {
    admit: o.gate.admit,
    slack: observedSlackRoute(o.slack, o),
    ready: readiness({ database: o.database, slackAuth: o.slackAuth, open: () => o.gate.open }).route,
    metrics: (_req, res) => void o.metrics.render().then(
      (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
      (e) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
    ),
    pagerduty: o.pagerduty ?? ((_req, res) => void res.writeHead(404).end()),
    alerts: o.alerts,
    health,
    mounts: o.mounts,
  };
}
