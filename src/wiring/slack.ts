/**
 * Slack (part of the composition root): the Web API client (the local workspace's when there is
 * no SLACK_BOT_TOKEN), then the Bolt app with its listeners and the handoff service.
 */
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { COMMANDS } from '#commands/index.js';
import type { Env } from '#config/env.js';
import type { FileConfig } from '#config/file.js';
import { catalogSteps, EngineChecks } from '#core/handoffs/checks.js';
import { rotationOnCall } from '#core/handoffs/rotation.js';
import { HandoffService, type HandoffServiceDeps } from '#core/handoffs/service.js';
import type { Clock } from '#core/ports.js';
import type { SystemRouting } from '#core/systems/index.js';
import type { Logger } from '#src/log.js';
import type { Metrics } from '#src/metrics.js';
import { answerStorageFaults } from '#ops/storage-answer.js';
import { clientOptions, createSlackApp } from '#slack/app.js';
import type { SlackDeps } from '#slack/deps.js';
import { SlackHandoffChat } from '#slack/handoff-chat.js';
import { MESSAGE_SHORTCUTS } from '#slack/ids.js';
import { registerHandoffActions } from '#slack/listeners/actions/handoff.js';
import { registerHandoffCommand } from '#slack/listeners/commands/handoff.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { LOCAL_ROTATION, Workspace } from '#workspace/index.js';
import type { Incidents } from './incidents.js';
import type { Persistence } from './persistence.js';
import type { RemediationWiring } from './remediation.js';
import { workspaceChannels } from './systems.js';

export interface SlackClientSetup {
  env: Env;
  file: FileConfig;
  metrics: Metrics;
  routing: SystemRouting;
  incidentChannel: string;
  /** Where opsroom answers (the local workspace sends its signed requests there). */
  url: string;
  /** Local mode: where the workspace keeps its messages across restarts. */
  workspaceState?: string;
}

/** Without SLACK_BOT_TOKEN, a local workspace stands in for Slack, served under `url`. */
export function slackClient(o: SlackClientSetup) {
  const { env, url } = o;
  const workspace = env.SLACK_BOT_TOKEN ? undefined : new Workspace({
    signingSecret: randomBytes(16).toString('hex'), appUrl: `${url}/slack/events`, origin: url, persistPath: o.workspaceState,
    incidentsChannel: { id: o.incidentChannel, name: 'incidents' }, commands: COMMANDS.map((c) => c.name), shortcuts: MESSAGE_SHORTCUTS,
    channels: workspaceChannels(o.routing, o.file.handoff.channel ?? o.file.channels.handoff),
  });
  const settings = workspace
    ? { botToken: workspace.botToken, signingSecret: workspace.signingSecret, appToken: env.SLACK_APP_TOKEN, apiUrl: `${url}/api/` }
    : { botToken: env.SLACK_BOT_TOKEN ?? '', signingSecret: env.SLACK_SIGNING_SECRET ?? '', appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL };
  const client = o.metrics.instrumentSlack(new WebClient(settings.botToken, clientOptions(settings.apiUrl)));
  return { workspace, settings, client };
}

type SlackClient = ReturnType<typeof slackClient>;

export interface SlackSetup {
  file: FileConfig;
  clock: Clock;
  log: Logger;
  local: boolean;
  persistence: Persistence;
  slack: SlackClient;
  incidents: Incidents;
  runs: RemediationWiring;
  routing: SystemRouting;
  incidentChannel: string;
  isResponder: HandoffServiceDeps['isResponder'];
  instance: string;
  escalationPolicies: readonly string[];
  /** Runbooks that broke in (since, until], for the handoff (wiring/verify.ts). */
  brokenRunbooks: HandoffServiceDeps['brokenRunbooks'];
  /** The rest of what listeners use (routines, follow-ups, postmortems). */
  listeners: Pick<SlackDeps, 'routines' | 'followUps' | 'postmortems'>;
}

export function createSlack(o: SlackSetup) {
  const { file, clock, persistence: p, incidents: i, runs } = o;
  // The local workspace's on-call rotation, so /oncall and handoffs can be tried without PagerDuty.
  const handoffConfig = o.local && !i.pager.enabled && !file.handoff.rotation.length && !file.handoff.shifts
    ? { ...file.handoff, rotation: [...LOCAL_ROTATION.rotation], shifts: [...LOCAL_ROTATION.shifts] } : file.handoff;
  const app = createSlackApp(o.slack.settings, {
    incidents: i.incidents, store: p.store, notifier: i.notifier, clock, incidentChannel: o.incidentChannel, log: o.log, runs: runs.remediation,
    ...o.listeners, pager: i.pager, escalationPolicies: o.escalationPolicies, deliveries: p.deliveries,
    rotation: () => rotationOnCall(handoffConfig, clock.now()),
  }, [answerStorageFaults(o.log) as never, async ({ client: perRequest, next }) => { p.metrics.instrumentSlack(perRequest); await next(); }]);
  const handoffs = new HandoffService({
    incidents: p.store, handoffs: new KyselyHandoffStore(p.database), clock, severities: i.severities, config: handoffConfig, followUps: p.followUps,
    channel: file.handoff.channel ?? file.channels.handoff ?? o.incidentChannel, pager: i.pager, incidentService: i.incidents,
    chat: new SlackHandoffChat(o.slack.client, o.log),
    checks: file.handoff.checks
      ? new EngineChecks({ engine: runs.engine, store: runs.runs, runbookId: file.handoff.checks, steps: catalogSteps(file.handoff.checks, (id) => runs.catalog().find((r) => r.id === id)) })
      : undefined,
    leases: p.leases, instanceId: o.instance, isResponder: o.isResponder,
    systemChannels: o.routing.withHandoffChannel().map((system) => ({ system, channel: o.routing.handoffChannel(system)! })),
    log: o.log, brokenRunbooks: o.brokenRunbooks,
  });
  const handoffDeps = { handoffs, store: p.store, clock, log: o.log };
  registerHandoffCommand(app.app, handoffDeps);
  registerHandoffActions(app.app, handoffDeps);
  return { app, handoffs };
}
