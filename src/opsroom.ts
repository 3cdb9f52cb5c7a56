import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Env } from './config/env.js';
import { severitiesOf, type FileConfig } from './config/file.js';
import { EffectDispatcher } from './core/dispatcher.js';
import { IncidentService } from './core/incidents/service.js';
import { systemClock, type Clock, type Pager } from './core/ports.js';
import { DeliveryError } from './core/effects.js';
import { createLogger, type Logger } from './log.js';
import { createHttpServer, type Mount } from './server.js';
import { createSlackApp } from './slack/app.js';
import { SlackNotifier } from './slack/notifier.js';
import { WebClient } from '@slack/web-api';
import { clientOptions } from './slack/app.js';
import { KyselyIncidentStore, KyselyOutbox, openDatabase } from './store/index.js';
import { Workspace } from './workspace/index.js';

export interface OpsroomOptions {
  env: Env;
  file: FileConfig;
  clock?: Clock;
  logger?: Logger;
  /** Background loops (dispatcher poll, reminders); tests may drive them by hand. */
  loops?: boolean;
  /** Local mode: where the workspace keeps its messages across restarts. */
  workspaceState?: string;
}

export const LOCAL_INCIDENT_CHANNEL = 'C0INCIDENTS';

const offPager: Pager = {
  enabled: false,
  deliver: async () => { throw new DeliveryError('PagerDuty integration is off', false); },
  onCall: async () => ({ now: [], next: [] }),
};

/** Builds and starts opsroom: database, core services, Slack, HTTP server, background loops. */
export async function startOpsroom(options: OpsroomOptions) {
  const { env, file } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger();
  const severities = severitiesOf(file);
  const local = !env.SLACK_BOT_TOKEN;
  const incidentChannel = env.OPSROOM_INCIDENT_CHANNEL ?? file.channels.incidents ?? LOCAL_INCIDENT_CHANNEL;

  const database = await openDatabase(env.DATABASE_URL);
  const store = new KyselyIncidentStore(database, clock);
  const outbox = new KyselyOutbox(database);
  const pager = offPager;

  const mounts: Mount[] = [];
  let slackRoute: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const server = createHttpServer({
    slack: (req, res) => slackRoute?.(req, res),
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
      incidentsChannel: { id: incidentChannel, name: 'incidents' },
    });
    botToken = workspace.botToken;
    apiUrl = `${url}/api/`;
    mounts.push((req, res) => workspace!.handle(req, res));
  }

  const client = new WebClient(botToken, clientOptions(apiUrl));
  const notifier = new SlackNotifier({ client, severities, clock, outbox, pagerEnabled: pager.enabled });
  const dispatcher = new EffectDispatcher({
    outbox, store, chat: notifier, pager, clock,
    onError: (effect, error) => log.warn({ effectId: effect.id, incidentId: effect.incidentId, kind: effect.payload.type, error: String(error) }, 'delivery failed'),
  });
  const incidents = new IncidentService({
    store, clock, severities, incidentChannel, pagerEnabled: pager.enabled, onEffects: () => void dispatcher.kick(),
  });
  const slack = createSlackApp(
    { botToken, signingSecret, appToken: env.SLACK_APP_TOKEN, apiUrl },
    { incidents, store, notifier, clock, incidentChannel, log: (msg, extra) => log.error(extra ?? {}, msg) },
  );
  slackRoute = slack.requestListener;
  await slack.start();

  const timers: NodeJS.Timeout[] = [];
  if (options.loops !== false) {
    dispatcher.start();
    const remind = setInterval(() => incidents.remindDue().catch((e) => log.error({ error: String(e) }, 'reminders failed')), 30_000);
    remind.unref();
    timers.push(remind);
  }

  return {
    url, port, local, workspace, incidents, store, outbox, dispatcher, database, server, clock, incidentChannel, log,
    async close() {
      timers.forEach(clearInterval);
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
