import { randomBytes } from 'node:crypto';
import { COMMANDS } from '../commands/index.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { ConfigError, type Env } from './config/env.js';
import { severitiesOf, type FileConfig } from './config/file.js';
import { EffectDispatcher } from './core/dispatcher.js';
import { catalogSteps, EngineChecks } from './core/handoffs/checks.js';
import { rotationOnCall } from './core/handoffs/rotation.js';
import { announceMissedResponses } from './core/incidents/response-due.js';
import { HandoffService } from './core/handoffs/service.js';
import { PagerEscalator } from './core/incidents/pager-events.js';
import { IncidentService } from './core/incidents/service.js';
import { systemClock, type Clock, type Pager } from './core/ports.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { LeasedLoop, RequestGate, holdSocketModeLease, instanceName, logDeliveries, logRuns, observedSlackRoute, readiness } from './ops/index.js';
import { answerStorageFaults } from './ops/storage-answer.js';
import { createPager, type PagerDutySettingsInput } from './pagerduty/index.js';
import { RunPolicy } from './core/runs/permissions.js';
import { SlackDirectory } from './slack/directory.js';
import { MESSAGE_SHORTCUTS } from './slack/ids.js';
import { createRemediation, type RemediationSetup } from './wiring/remediation.js';
import { createRoutines } from './wiring/routines.js';
import { createVerify } from './wiring/verify.js';
import { createRecovery } from './wiring/recovery.js';
import { pagerDutySettings, pagerDutyWebhook } from './wiring/pagerduty.js';
import { createAlerts } from './wiring/alerts.js';
import { systemRouting, systemServicesOf, workspaceChannels } from './wiring/systems.js';
import { createHttpServer, type Mount, type Route } from './server.js';
import { clientOptions, createSlackApp } from './slack/app.js';
import { SlackHandoffChat } from './slack/handoff-chat.js';
import { registerHandoffActions } from './slack/listeners/actions/handoff.js';
import { registerHandoffCommand } from './slack/listeners/commands/handoff.js';
import { SlackNotifier } from './slack/notifier.js';
import { KyselyHandoffStore } from './store/handoffs.js';
import { KyselyFollowUpStore } from './store/follow-ups.js';
import { createAfterIncident } from './wiring/postmortem.js';
import {
  KyselyDeliveries, KyselyIncidentStore, KyselyLeases, KyselyOutbox, KyselyPagerLinks, openDatabase, type DeliveryClaimOptions,
} from './store/index.js';
import { LOCAL_RESPONDERS, LOCAL_ROTATION, Workspace } from './workspace/index.js';

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

export const LOCAL_INCIDENT_CHANNEL = 'C0INCIDENTS';

/** Builds and starts opsroom: database, core services, Slack, HTTP server, background loops. */
export async function startOpsroom(options: OpsroomOptions) {
  const { env, file } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger();
  const severities = severitiesOf(file);
  const local = !env.SLACK_BOT_TOKEN;
  // In the local workspace anyone who reaches the page can act as anyone, responders included.
  if (local && !['127.0.0.1', '::1', 'localhost'].includes(env.OPSROOM_HOST))
    throw new ConfigError(`SLACK_BOT_TOKEN is not set, so opsroom would serve its local workspace, where anyone can act as anyone: it listens only on loopback (OPSROOM_HOST=127.0.0.1), not on ${env.OPSROOM_HOST}`);
  const incidentChannel = env.OPSROOM_INCIDENT_CHANNEL ?? file.channels.incidents ?? LOCAL_INCIDENT_CHANNEL;
  // Per-system channels, severity names, announcements, PagerDuty services, people (opsroom.yml systems:).
  const routing = systemRouting(file, incidentChannel);

  // Settings errors surface before anything is opened.
  const pagerSettings = pagerDutySettings(env, file, { systemServices: systemServicesOf(routing), ...options.pagerDuty });
  const database = await openDatabase(env.DATABASE_URL);
  const store = new KyselyIncidentStore(database, clock);
  const outbox = new KyselyOutbox(database);
  // Operations: metrics, shutdown gate, leases shared by the replicas (docs/operating.md).
  const instance = options.instanceId ?? instanceName();
  const leases = new KyselyLeases(database);
  const deliveries = new KyselyDeliveries(database, { owner: instance, ...options.deliveries });
  const metrics = new Metrics({ database, outbox });
  const gate = new RequestGate();
  let slackAuth: () => Promise<unknown> = async () => { throw new Error('starting'); };
  const releaseSocketMode = env.SLACK_APP_TOKEN
    ? await holdSocketModeLease({ leases, owner: instance, clock, onLost: (by) => log.error({ holder: by }, 'Socket Mode lease lost to another replica') })
      .catch(async (e) => { await database.close(); throw e; })
    : undefined;
  const pagerLinks = new KyselyPagerLinks(database);
  const pager: Pager = metrics.instrumentPager(createPager(pagerSettings, pagerLinks, clock)); // DisabledPager without a token
  let pagerRoute: Route | undefined;
  let alertsRoute: Route | undefined;

  const mounts: Mount[] = [];
  let slackRoute: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let serving = false; // ready only once Slack requests are served (route mounted, listeners and runs started)
  const server = createHttpServer({
    slack: observedSlackRoute(() => slackRoute, { metrics, log }),
    admit: gate.admit,
    ready: readiness({ database, slackAuth: () => slackAuth(), open: () => gate.open, serving: () => serving }).route,
    metrics: (_req, res) => void metrics.render().then(
      (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
      (e) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
    ),
    pagerduty: (req, res) => (pagerRoute ? pagerRoute(req, res) : void res.writeHead(404).end()),
    // Without OPSROOM_ALERTS_TOKEN the alert endpoints do not exist (404); while starting, 503 so the sender retries.
    alerts: env.OPSROOM_ALERTS_TOKEN ? (req, res) => (alertsRoute ? alertsRoute(req, res) : void req.resume().once('end', () => res.writeHead(503, { 'retry-after': '1' }).end())) : undefined,
    health: (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}\n'); },
    mounts,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.OPSROOM_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${env.OPSROOM_HOST}:${port}`;

  let workspace: Workspace | undefined;
  let botToken = env.SLACK_BOT_TOKEN ?? '';
  let signingSecret = env.SLACK_SIGNING_SECRET ?? '';
  let apiUrl = env.SLACK_API_URL;
  if (local) {
    signingSecret = randomBytes(16).toString('hex');
    workspace = new Workspace({
      signingSecret, appUrl: `${url}/slack/events`, origin: url, persistPath: options.workspaceState,
      incidentsChannel: { id: incidentChannel, name: 'incidents' }, channels: workspaceChannels(routing, file.handoff.channel ?? file.channels.handoff), commands: COMMANDS.map((c) => c.name),
      shortcuts: MESSAGE_SHORTCUTS,
    });
    botToken = workspace.botToken;
    apiUrl = `${url}/api/`;
    mounts.push((req, res) => workspace!.handle(req, res));
  }

  const client = metrics.instrumentSlack(new WebClient(botToken, clientOptions(apiUrl)));
  // The local workspace ships with its people configured (workspace/state.ts), so every flow can be tried.
  const permissions = local && !file.permissions.responders.length ? { ...file.permissions, responders: [...LOCAL_RESPONDERS] } : file.permissions;
  const policy = new RunPolicy(permissions, new SlackDirectory(client), routing);
  // …and its on-call rotation, so /oncall and handoffs can be tried without PagerDuty.
  const handoffConfig = local && !pager.enabled && !file.handoff.rotation.length && !file.handoff.shifts
    ? { ...file.handoff, rotation: [...LOCAL_ROTATION.rotation], shifts: [...LOCAL_ROTATION.shifts] } : file.handoff;
  slackAuth = () => client.auth.test();
  const followUpStore = new KyselyFollowUpStore(database);
  const notifier = new SlackNotifier({
    client, severities, clock, outbox, pagerEnabled: pager.enabled, routing, pagerLink: (id) => pagerLinks.get(id),
    followUps: (id) => followUpStore.forIncident(id),
  });
  const dispatcher = new EffectDispatcher({
    outbox, store, chat: notifier, pager, clock, busy: () => gate.active > 0,
    // The card's "PagerDuty: pending / failed / link" line follows each pager call's outcome.
    afterDelivery: async (effect, outcome) => {
      if (effect.target !== 'pager' || (!outcome.ok && outcome.retryAt && effect.attempts > 0)) return;
      await store.record(effect.incidentId, [], [{ target: 'chat', payload: { type: 'card' } }]);
      void dispatcher.kick();
    },
    onError: (effect, error) => log.warn({ effectId: effect.id, incidentId: effect.incidentId, kind: effect.payload.type, error: String(error) }, 'delivery failed'),
    onPollError: (error) => log.warn({ error: String(error) }, 'deliveries paused: cannot read the outbox'),
  });
  const incidents = new IncidentService({
    store, clock, severities, incidentChannel, routing, pagerEnabled: pager.enabled, onEffects: () => void dispatcher.kick(),
    mayAssign: (actor, i) => policy.check(actor, 'assign', i),
    changed: (before, after) => metrics.observeIncident(before, after),
  });
  const runs = await createRemediation({
    env, file, database, client, incidents, store, clock, log: (msg, extra) => log.warn(extra ?? {}, msg),
    instanceId: process.env.OPSROOM_INSTANCE_ID || undefined, policy, kick: () => void dispatcher.kick(),
    // Failed steps' Escalate pages through the outbox when PagerDuty is on.
    escalator: pager.enabled ? new PagerEscalator({ store, policies: Object.keys(pagerSettings?.escalationPolicies ?? {}), onEffects: () => void dispatcher.kick() }) : undefined,
    ...options.remediation,
  });
  runs.suggestOn(notifier);
  const after = createAfterIncident({ client, store, followUpStore, runs: runs.runs, runbooks: runs.catalog, clock, kick: () => void dispatcher.kick() });
  after.deliverOn(notifier);
  const routines = createRoutines({ file, database, runs, incidents, clock, owner: instance, fallbackChannel: incidentChannel, log: (msg, extra) => log.warn(extra ?? {}, msg) });
  // Runbook freshness: the scheduled verify, once across replicas (wiring/verify.ts).
  const verify = createVerify({ file, database, runs, clock, owner: instance, log: (msg, extra) => log.warn(extra ?? {}, msg) });
  runs.remediation.healthOf = (ids) => verify.freshness(ids);
  runs.board.freshnessOf = async (id) => (await runs.remediation.freshness([id])).get(id);
  // Verified recovery: a remediation's checks run again for a window (docs/remediation.md).
  const recovery = createRecovery({
    file, database, store, runs: runs.runs, engine: runs.engine, runner: runs.runner, clock, kick: () => void dispatcher.kick(),
    changed: (before, after) => metrics.observeIncident(before, after), log: (msg, extra) => log.warn(extra ?? {}, msg),
  });
  metrics.watchRuns(runs.engine);
  logDeliveries(notifier, log);
  logRuns(runs.engine, log);
  const slack = createSlackApp(
    { botToken, signingSecret, appToken: env.SLACK_APP_TOKEN, apiUrl },
    {
      incidents, store, notifier, clock, incidentChannel, log: (msg, extra) => log.error(extra ?? {}, msg), runs: runs.remediation, routines,
      followUps: after.followUps, postmortems: after.postmortems,
      pager, escalationPolicies: Object.keys(pagerSettings?.escalationPolicies ?? {}), deliveries,
      rotation: () => rotationOnCall(handoffConfig, clock.now()),
    },
    [answerStorageFaults(log) as never, async ({ client: perRequest, next }) => { metrics.instrumentSlack(perRequest); await next(); }],
  );
  const handoffs = new HandoffService({
    incidents: store, handoffs: new KyselyHandoffStore(database), clock, severities, config: handoffConfig, followUps: followUpStore,
    channel: file.handoff.channel ?? file.channels.handoff ?? incidentChannel, pager, incidentService: incidents,
    chat: new SlackHandoffChat(client, (msg, extra) => log.warn(extra ?? {}, msg)),
    checks: file.handoff.checks
      ? new EngineChecks({ engine: runs.engine, store: runs.runs, runbookId: file.handoff.checks, steps: catalogSteps(file.handoff.checks, (id) => runs.catalog().find((r) => r.id === id)) })
      : undefined,
    leases, instanceId: instance, isResponder: (user) => policy.responder(user),
    systemChannels: routing.withHandoffChannel().map((system) => ({ system, channel: routing.handoffChannel(system)! })),
    log: (msg, extra) => log.warn(extra ?? {}, msg),
    brokenRunbooks: (since, until) => verify.brokenBetween(since, until),
  });
  const handoffDeps = { handoffs, store, clock, log: (msg: string, extra?: Record<string, unknown>) => log.error(extra ?? {}, msg) };
  registerHandoffCommand(slack.app, handoffDeps);
  registerHandoffActions(slack.app, handoffDeps);
  slackRoute = slack.requestListener;
  if (pagerSettings) pagerRoute = pagerDutyWebhook(pagerSettings, env, { incidents, store, database, clock, log, deliveries });
  // Alertmanager and Grafana open, join and resolve incidents (src/core/alerts).
  const alerts = createAlerts({
    env, file, database, clock, log, metrics, incidentChannel, routing, pagerEnabled: pager.enabled,
    runbookIds: () => runs.catalog().map((r) => r.id), kick: () => void dispatcher.kick(),
    diagnose: async (id, runbookId, actor) => {
      const run = await runs.remediation.start(await incidents.get(id), runbookId, {}, actor);
      await runs.remediation.diagnostics(actor, run.id);
    },
  });
  runs.remediation.alertOf = (id) => alerts.intake.forIncident(id);
  alertsRoute = alerts.route;
  await slack.start();
  await runs.start();
  serving = true;

  const timers: NodeJS.Timeout[] = [];
  /** Background work one replica at a time does, claimed through a lease in the database. */
  const leasedLoops: LeasedLoop[] = [];
  if (options.loops !== false) {
    dispatcher.start();
    leasedLoops.push(new LeasedLoop({
      name: 'reminders', owner: instance, leases, clock, everyMs: options.reminderEveryMs ?? 30_000,
      run: async () => {
        await incidents.remindDue();
        await announceMissedResponses({ store, clock, severities, onEffects: () => void dispatcher.kick() });
      },
      onError: (e) => log.error({ error: String(e) }, 'reminders failed'),
    }));
    leasedLoops.push(new LeasedLoop({
      name: 'handoffs', owner: instance, leases, clock, everyMs: 30_000,
      run: () => handoffs.tick(), onError: (e) => log.error({ error: String(e) }, 'handoff schedule failed'),
    }));
    leasedLoops.push(new LeasedLoop({
      name: 'approval-expiry', owner: instance, leases, clock, everyMs: 30_000,
      run: () => runs.remediation.expireDue(), onError: (e) => log.error({ error: String(e) }, 'approval expiry failed'),
    }));
    if (alerts.enabled && file.alerts.onResolved === 'resolve') leasedLoops.push(new LeasedLoop({
      name: 'alert-quiet', owner: instance, leases, clock, everyMs: 30_000,
      run: () => alerts.intake.resolveQuiet(), onError: (e) => log.error({ error: String(e) }, 'resolving quiet alert incidents failed'),
    }));
    leasedLoops.push(new LeasedLoop({
      name: 'recovery', owner: instance, leases, clock, everyMs: options.recoveryEveryMs ?? 15_000, ttlMs: 2 * 60_000,
      run: () => recovery.tick(), onError: (e) => log.error({ error: String(e) }, 'recovery checks failed'),
    }));
    leasedLoops.forEach((l) => l.start());
    // Every replica ticks; each due slot is claimed once in the database (wiring/routines.ts).
    routines.start();
    verify.start();
    // Steps left running by a replica that died (its heartbeat lapsed) are marked interrupted.
    const recover = setInterval(() => void runs.engine.recoverDeadInstances().catch((e) => log.error({ error: String(e) }, 'recovering interrupted steps failed')), 30_000);
    recover.unref();
    timers.push(recover);
  }

  return {
    url, port, local, workspace, incidents, store, outbox, dispatcher, database, server, clock, incidentChannel, log,
    alerts: alerts.intake,
    runs,
    routines,
    verify,
    recovery,
    handoffs,
    metrics, gate, instance, leases, deliveries,
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
      timers.forEach(clearInterval);
      await routines.close();
      await verify.close();
      recovery.close();
      await runs.close();
      await Promise.all(leasedLoops.map((l) => l.stop()));
      await releaseSocketMode?.();
      await dispatcher.stop();
      await slack.stop();
      await workspace?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await database.close();
    },
  };
}

export type Opsroom = Awaited<ReturnType<typeof startOpsroom>>;
