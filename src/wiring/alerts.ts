/** Alert intake: POST /alerts/alertmanager and /alerts/grafana when OPSROOM_ALERTS_TOKEN is set (docs/operating.md). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALERT_PATHS, createAlertHandler } from '#alerts/handler.js';
import type { Env } from '#config/env.js';
import { severitiesOf, systemsOf, type FileConfig } from '#config/file.js';
import { AlertIntake } from '#core/alerts/intake.js';
import type { Clock } from '#core/ports.js';
import { SystemRouting, systemOfRunbook } from '#core/systems/index.js';
import type { Logger } from '#src/log.js';
import type { Metrics } from '#src/metrics.js';
import type { KyselyAlertStore } from '#store/alerts.js';

export interface AlertsSetup {
  env: Env;
  file: FileConfig;
  store: KyselyAlertStore;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  incidentChannel: string;
  /** Systems' channels and severity names (wiring/systems.ts); built from opsroom.yml when absent. */
  routing?: SystemRouting;
  pagerEnabled: boolean;
  runbookIds: () => readonly string[];
  kick: () => void;
  /** Starts the alert's runbook and its read-only steps (systems.<name>.alerts.autoDiagnostics). */
  diagnose?: (incidentId: number, runbookId: string, actor: string) => Promise<void>;
}

const alertTokens = (env: Pick<Env, 'OPSROOM_ALERTS_TOKEN'>) =>
  (env.OPSROOM_ALERTS_TOKEN ?? '').split(',').map((t) => t.trim()).filter(Boolean);

export function createAlerts(o: AlertsSetup) {
  const routing = o.routing ?? new SystemRouting({ systems: systemsOf(o.file), severities: severitiesOf(o.file), incidentChannel: o.incidentChannel });
  const intake = new AlertIntake({
    store: o.store, clock: o.clock, routing, config: o.file.alerts,
    pagerEnabled: o.pagerEnabled, runbookIds: o.runbookIds, onEffects: o.kick,
  });
  const tokens = alertTokens(o.env);
  /** Runs after the answer: a failure is logged, the incident stays as opened. */
  const autoDiagnose = async (incidentId: number, actor: string) => {
    try {
      const a = await intake.forIncident(incidentId);
      const system = a?.labels.system ? routing.find(a.labels.system) : undefined;
      if (!a?.runbook || !system || !routing.config(system)?.alerts?.autoDiagnostics) return;
      // Only the system's own runbooks run unasked: an alert cannot aim diagnostics at another system.
      if (systemOfRunbook(a.runbook)?.toLowerCase() !== system.toLowerCase()) {
        o.log.warn({ incidentId, runbook: a.runbook, system }, 'alert diagnostics not started: the runbook belongs to another system');
        return;
      }
      await o.diagnose!(incidentId, a.runbook, actor);
    } catch (e) {
      o.log.warn({ incidentId, error: String(e) }, 'alert diagnostics did not start');
    }
  };
  const handle = createAlertHandler({
    tokens,
    async receive(batch) {
      const r = await intake.receive(batch);
      if (r.outcome === 'opened' && r.incidentId !== null && o.diagnose) void autoDiagnose(r.incidentId, batch.source);
      return r;
    },
    observe(source, outcome, batch, error) {
      o.metrics.alertDeliveries.inc({ source, outcome });
      for (const a of batch?.alerts ?? []) o.metrics.alertsReceived.inc({ source, status: a.status });
      const fields = { source, outcome, groupKey: batch?.groupKey, alerts: batch?.alerts.length, ...(error ? { error: String((error as Error)?.stack ?? error) } : {}) };
      if (outcome === 'failed') o.log.error(fields, 'alert webhook failed');
      else o.log.info(fields, 'alert webhook');
    },
  });
  if (o.env.OPSROOM_ALERTS_TOKEN !== undefined && !tokens.length) o.log.warn({}, 'OPSROOM_ALERTS_TOKEN holds no token: the alert endpoints answer 404');
  /** The route; without a token the endpoints answer 404. */
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const source = tokens.length ? ALERT_PATHS[(req.url ?? '').split('?')[0]] : undefined;
    if (!source) {
      req.resume();
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
    void handle(req, res, source);
  };
  return { intake, route, enabled: tokens.length > 0 };
}
