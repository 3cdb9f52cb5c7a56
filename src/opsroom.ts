import { ConfigError, type Env } from '#config/env.js';
import type { FileConfig } from '#config/file.js';
import { PagerEscalator } from '#core/incidents/pager-events.js';
import { systemClock, type Clock } from '#core/ports.js';
import { RunPolicy } from '#core/runs/permissions.js';
import { createLogger, type Logger } from './log.js';
import { RequestGate, holdSocketModeLease, instanceName, logRuns } from '#ops/index.js';
import type { PagerDutySettingsInput } from '#pagerduty/index.js';
import { bindHttp } from './server.js';
import { SlackDirectory } from '#slack/directory.js';
import type { DeliveryClaimOptions } from '#store/index.js';
import { LOCAL_RESPONDERS } from '#workspace/index.js';
import { createAlerts } from '#wiring/alerts.js';
import { startingRoutes, servingRoutes } from '#wiring/http.js';
import { createIncidents } from '#wiring/incidents.js';
import { startLoops } from '#wiring/loops.js';
import { pagerDutySettings, pagerDutyWebhook } from '#wiring/pagerduty.js';
import { openPersistence } from '#wiring/persistence.js';
import { createAfterIncident } from '#wiring/postmortem.js';
import { createRecovery } from '#wiring/recovery.js';
import { createRemediation, type RemediationSetup } from '#wiring/remediation.js';
import { createRoutines } from '#wiring/routines.js';
import { createSlack, slackClient } from '#wiring/slack.js';
import { systemRouting, systemServicesOf } from '#wiring/systems.js';
import { createVerify, freshnessOf } from '#wiring/verify.js';

export interface OpsroomOptions {
  env: Env;
  file: FileConfig;
  clock?: Clock;
  logger?: Logger;
  /** Background loops (dispatcher poll, reminders); tests may drive them by hand. */
  loops?: boolean;
  /** Local mode: where the workspace keeps its messages across restarts. */
  workspaceState?: string;
  /** PagerDuty settings beyond env and opsroom.yml (time limits in tests). */
  pagerDuty?: Partial<PagerDutySettingsInput>;
  /** This replica's name in leases (default OPSROOM_INSTANCE_ID, else host:pid:random). */
  instanceId?: string;
  /** How often replicas try the reminder lease and send due reminders (default 30 s). */
  reminderEveryMs?: number;
  /** How often replicas try the recovery lease and run due recovery checks (default 15 s). */
  recoveryEveryMs?: number;
  /** Remediation settings beyond env and opsroom.yml (the escalator PagerDuty provides; edit pacing in tests). */
  remediation?: Partial<Pick<RemediationSetup, 'escalator' | 'coalesce'>>;
  /** Delivery claim timing (lease, keep time) beyond the defaults, for tests. */
  deliveries?: Omit<DeliveryClaimOptions, 'owner'>;
}

const LOCAL_INCIDENT_CHANNEL = 'C0INCIDENTS';

/**
 * Builds and starts opsroom from the parts in wiring/: persistence, Slack's client, incidents,
 * runs, Slack's app, background loops; the HTTP routes are mounted last (server.ts bindHttp).
 */
export async function startOpsroom(options: OpsroomOptions) {
  const { env, file } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger();
  const local = !env.SLACK_BOT_TOKEN;
  // In the local workspace anyone who reaches the page can act as anyone, responders included.
  if (local && !['127.0.0.1', '::1', 'localhost'].includes(env.OPSROOM_HOST))
    throw new ConfigError(`SLACK_BOT_TOKEN is not set, so opsroom would serve its local workspace, where anyone can act as anyone: it listens only on loopback (OPSROOM_HOST=127.0.0.1), not on ${env.OPSROOM_HOST}`);
  const incidentChannel = env.OPSROOM_INCIDENT_CHANNEL ?? file.channels.incidents ?? LOCAL_INCIDENT_CHANNEL;
  // Per-system channels, severity names, announcements, PagerDuty services, people (opsroom.yml systems:).
  const routing = systemRouting(file, incidentChannel);
  // Settings errors surface before anything is opened.
  const pagerSettings = pagerDutySettings(env, file, { systemServices: systemServicesOf(routing), ...options.pagerDuty });
  const escalationPolicies = Object.keys(pagerSettings?.escalationPolicies ?? {});
  const instance = options.instanceId ?? instanceName();
  const p = await openPersistence({ databaseUrl: env.DATABASE_URL, clock, instance, deliveries: options.deliveries });
  const { database, store, metrics } = p;
  const gate = new RequestGate();
  const opened: (() => Promise<void>)[] = [() => p.close()];
  const undo = async (e: unknown) => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw e;
  };
  const releaseSocketMode = env.SLACK_APP_TOKEN
    ? await holdSocketModeLease({ leases: p.leases, owner: instance, clock, onLost: (by) => log.error({ holder: by }, 'Socket Mode lease lost to another replica') }).catch(undo)
    : undefined;
  if (releaseSocketMode) opened.push(releaseSocketMode);
  const http = await bindHttp(env.PORT, env.OPSROOM_HOST, startingRoutes({ gate, metrics, log })).catch(undo);
  opened.push(() => http.close());

  const slack = slackClient({ env, file, metrics, routing, incidentChannel, url: http.url, workspaceState: options.workspaceState });
  // The local workspace ships with its people configured (workspace/state.ts), so every flow can be tried.
  const permissions = local && !file.permissions.responders.length ? { ...file.permissions, responders: [...LOCAL_RESPONDERS] } : file.permissions;
  const policy = new RunPolicy(permissions, new SlackDirectory(slack.client), routing);
  const core = createIncidents({ file, clock, log, persistence: p, client: slack.client, gate, policy, routing, incidentChannel, pagerSettings });
  const { incidents, dispatcher, notifier, pager, kick } = core;
  const runs = await createRemediation({
    env, file, database, client: slack.client, incidents, store, clock, log,
    instanceId: process.env.OPSROOM_INSTANCE_ID || undefined, policy, kick,
    // Failed steps' Escalate pages through the outbox when PagerDuty is on.
    escalator: pager.enabled ? new PagerEscalator({ store, policies: escalationPolicies, onEffects: kick }) : undefined,
    alertOf: (id) => p.alerts.forIncident(id), healthOf: freshnessOf(p.health),
    ...options.remediation,
  }).catch(undo);
  runs.suggestOn(notifier);
  const after = createAfterIncident({ client: slack.client, store, followUpStore: p.followUps, runs: runs.runs, runbooks: runs.catalog, clock, kick });
  after.deliverOn(notifier);
  const routines = createRoutines({ file, database, runs, incidents, clock, owner: instance, fallbackChannel: incidentChannel, log });
  // Runbook freshness: the scheduled verify, once across replicas (wiring/verify.ts).
  const verify = createVerify({ file, database, health: p.health, runs, clock, owner: instance, log });
  // Verified recovery: a remediation's checks run again for a window (docs/remediation.md).
  const recovery = createRecovery({
    file, database, store, runs: runs.runs, engine: runs.engine, runner: runs.runner, clock, kick, log,
    changed: (before, after) => metrics.observeIncident(before, after),
  });
  metrics.watchRuns(runs.engine);
  logRuns(runs.engine, log);
  // Alertmanager and Grafana open, join and resolve incidents (src/core/alerts).
  const alerts = createAlerts({
    env, file, store: p.alerts, clock, log, metrics, incidentChannel, routing, pagerEnabled: pager.enabled,
    runbookIds: () => runs.catalog().map((r) => r.id), kick,
    diagnose: async (id, runbookId, actor) => {
      const run = await runs.remediation.start(await incidents.get(id), runbookId, {}, actor);
      await runs.remediation.diagnostics(actor, run.id);
    },
  });
  const { app, handoffs } = createSlack({
    file, clock, log, local, persistence: p, slack, incidents: core, runs, routing, incidentChannel, instance, escalationPolicies,
    isResponder: (user) => policy.responder(user), brokenRunbooks: (since, until) => verify.brokenBetween(since, until),
    listeners: { routines, followUps: after.followUps, postmortems: after.postmortems },
  });
  await app.start().catch(undo);
  await runs.start().catch(undo);
  const loops = options.loops === false ? undefined : startLoops({
    file, owner: instance, leases: p.leases, clock, log, severities: core.severities, store, dispatcher, incidents, handoffs, runs, alerts, recovery,
    routines, verify, reminderEveryMs: options.reminderEveryMs, recoveryEveryMs: options.recoveryEveryMs,
  });
  http.mount(servingRoutes({
    gate, metrics, log, database, slackAuth: () => slack.client.auth.test(), slack: app.requestListener,
    pagerduty: pagerSettings && pagerDutyWebhook(pagerSettings, env, { incidents, store, database, clock, log, deliveries: p.deliveries }),
    alerts: env.OPSROOM_ALERTS_TOKEN ? alerts.route : undefined,
    mounts: slack.workspace ? [(req, res) => slack.workspace!.handle(req, res)] : [],
  }));

  const { workspace } = slack;
  return {
    url: http.url, port: http.port, server: http.server, local, workspace, incidents, store, outbox: p.outbox, dispatcher, database, clock, incidentChannel, log,
    alerts: alerts.intake, runs, routines, verify, recovery, handoffs, metrics, gate, instance, leases: p.leases, deliveries: p.deliveries,
    /**
     * SIGTERM: refuse new Slack/PagerDuty requests (503), let the ones inside finish, then close()
     * (background work stops, running steps end as interrupted, connections close) within `graceMs`.
     */
    async shutdown(graceMs = 10_000) {
      const started = Date.now();
      gate.close();
      log.info({ active: gate.active }, 'shutting down: new requests are refused');
      if (!(await gate.idle(Math.max(0, graceMs - 3000)))) log.warn({ active: gate.active }, 'shutdown: requests still running, closing anyway');
      await this.close();
      log.info({ ms: Date.now() - started }, 'shut down');
    },
    async close() {
      loops?.halt();
      await routines.close();
      await verify.close();
      recovery.close();
      await runs.close();
      await loops?.close();
      await releaseSocketMode?.();
      await dispatcher.stop();
      await app.stop();
      await workspace?.close();
      await http.close();
      await database.close();
    },
  };
}

export type Opsroom = Awaited<ReturnType<typeof startOpsroom>>;
