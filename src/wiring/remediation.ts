/**
 * Wiring of remediation from Slack (part of the composition root): the runbook catalog
 * (OPSROOM_RUNBOOKS), the inventory (OPSROOM_INVENTORY), the executors, the run engine with its
 * permission and approval gate, the run board and the Slack use-cases.
 */
import { existsSync } from 'node:fs';
import type { WebClient } from '@slack/web-api';
import type { Env } from '#config/env.js';
import { severitiesOf, type FileConfig } from '#config/file.js';
import { approvalRequired } from '#core/incidents/approval-rule.js';
import type { IncidentService } from '#core/incidents/service.js';
import { loadInventory } from '#core/inventory/loader.js';
import { EMPTY_INVENTORY, type Inventory } from '#core/inventory/schema.js';
import type { Clock, IncidentStore, Logger } from '#core/ports.js';
import { loadRunbooks, type LoadedRunbook } from '#core/runbooks/loader.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { freshnessText } from '#core/verify/freshness.js';
import { incidentKey } from '#core/incidents/incident.js';
import { approvalGate } from '#core/runs/approvals.js';
import { systemOfRunbook } from '#core/systems/index.js';
import { RunEngine } from '#core/runs/engine.js';
import { credentialValues, knownSecrets } from '#core/runs/known-secrets.js';
import { RunPolicy } from '#core/runs/permissions.js';
import { LoggingEscalator, type EscalationContext, type EscalationResult, type Escalator } from '#core/runs/ports.js';
import { ErrorCode, isCoded } from '#core/errors.js';
import { runnerFromInventory } from '#executors/index.js';
import type { Database } from '#store/db.js';
import { KyselyApprovalStore, KyselyChatRefs } from '#store/remediation.js';
import { KyselyRunStore } from '#store/runs.js';
import { KyselyRoutineRuns } from '#store/routines.js';
import { SlackDirectory } from '#slack/directory.js';
import type { CoalescerOptions } from '#slack/output-stream.js';
import { Remediation, type RemediationDeps } from '#slack/remediation.js';
import { RunBoard } from '#slack/run-board.js';
import { deliverRunEffect, RUN_EFFECTS } from '#slack/run-deliveries.js';
import type { SlackNotifier } from '#slack/notifier.js';
import { code, escapeMrkdwn } from '#slack/blocks/run-card.js';

export interface RemediationSetup {
  env: Env;
  file: FileConfig;
  database: Database;
  client: WebClient;
  incidents: IncidentService;
  store: IncidentStore;
  clock: Clock;
  log: Logger;
  /** Takes Escalate clicks and escalate steps (default: a log line; PagerDuty hooks in here). */
  escalator?: Escalator;
  coalesce?: CoalescerOptions;
  /** The engine's name among replicas (stable across restarts, unique per replica; default: host name). */
  instanceId?: string;
  /** Who may do what (default: opsroom.yml `permissions`). */
  policy?: RunPolicy;
  /** Tells the dispatcher that effects were stored (run cards, approval requests, suggestions). */
  kick?: () => void;
  /** The alert an incident came from (alert intake), for suggestions. */
  alertOf?: RemediationDeps['alertOf'];
  /** Each runbook's freshness from the last verify, for suggestions and run cards. */
  healthOf?: RemediationDeps['healthOf'];
}

export async function createRemediation(o: RemediationSetup) {
  const severities = severitiesOf(o.file);
  let inventory: Inventory = EMPTY_INVENTORY;
  const hasInventory = existsSync(o.env.OPSROOM_INVENTORY);
  if (hasInventory) {
    const r = await loadInventory(o.env.OPSROOM_INVENTORY);
    if (r.inventory) inventory = r.inventory;
    else o.log.warn({ errors: r.errors.map(formatSourceError) }, 'inventory has errors; steps run without it');
  }
  let catalog: LoadedRunbook[] = [];
  if (existsSync(o.env.OPSROOM_RUNBOOKS)) {
    const c = await loadRunbooks(o.env.OPSROOM_RUNBOOKS, { severities, severityAliases: o.file.severityAliases, inventory: hasInventory ? inventory : undefined });
    catalog = c.runbooks;
    if (c.errors.length) o.log.warn({ errors: c.errors.map(formatSourceError) }, 'some runbooks were left out');
  }
  const runner = runnerFromInventory(inventory);
  // The inventory's secrets and the bot's own credentials: hidden everywhere (core/runs/known-secrets.ts).
  const secrets = [...inventory.secrets.map((n) => process.env[n]), ...credentialValues({ ...process.env, ...o.env } as unknown as Record<string, string | undefined>)]
    .filter((v): v is string => !!v);
  knownSecrets.add(secrets);

  const runs = new KyselyRunStore(o.database);
  const approvals = new KyselyApprovalStore(o.database);
  const refs = new KyselyChatRefs(o.database);
  const routineRuns = new KyselyRoutineRuns(o.database);
  const policy = o.policy ?? new RunPolicy(o.file.permissions, new SlackDirectory(o.client));
  const escalator = new IncidentEscalator(o.incidents, Object.keys(o.file.pagerduty?.escalationPolicies ?? {}), o.clock, o.escalator ?? new LoggingEscalator((line) => o.log.warn({}, line)));
  const engine = new RunEngine({
    store: runs, stops: runs, runner, escalator, clock: o.clock, secrets, secretKey: o.env.OPSROOM_SECRET_KEY, instanceId: o.instanceId,
    authorize: approvalGate({
      policy, approvals, clock: o.clock,
      incident: async (id) => {
        const i = await o.store.get(id);
        return i && { commander: i.commander, acknowledgedBy: i.acknowledgedBy, system: i.system, requiresApproval: approvalRequired(severities, i.severity, await o.store.events(id)) };
      },
      openIncidentNeedingApproval: async (runbookId) => {
        const system = systemOfRunbook(runbookId)?.toLowerCase();
        for (const i of await o.store.listOpen()) {
          if (system && i.system?.toLowerCase() !== system) continue;
          if (approvalRequired(severities, i.severity, await o.store.events(i.id))) return incidentKey(i.id);
        }
        return undefined;
      },
    }),
  });
  const runbook = (id: string) => catalog.find((r) => r.id === id);
  const freshnessOf = async (id: string) => {
    const h = (await o.healthOf?.([id]))?.get(id);
    return h && freshnessText(h);
  };
  const base = { client: o.client, engine, runs, refs, incidents: o.incidents, store: o.store, severities, clock: o.clock, runbook, log: o.log, coalesce: o.coalesce, freshnessOf };
  const board = new RunBoard(base);
  const remediation = new Remediation({
    ...base, board, catalog: () => catalog, inventory: hasInventory ? inventory : undefined, env: process.env, policy, approvals,
    approvalMinutes: o.file.permissions.approvalMinutes, escalator, secrets,
    kick: o.kick, routineChannel: (runId) => routineRuns.channelOf(runId), alertOf: o.alertOf, healthOf: o.healthOf,
  });

  return {
    remediation, board, engine, runs, approvals, catalog: () => catalog, runner, inventory,
    /**
     * Run cards, approval requests and suggestions (outbox effects) are delivered here; after a
     * thread line is delivered, the runbooks that match the incident are queued (once per match set
     * and severity).
     */
    suggestOn(notifier: SlackNotifier): void {
      for (const kind of RUN_EFFECTS) notifier.on(kind, (effect, incident) => deliverRunEffect(remediation, effect, incident));
      notifier.on('thread', async (_effect, incident, next) => {
        const r = await next();
        if (incident.cardTs) {
          // Awaited, so the suggestion is queued before this delivery counts as done (nothing trails it).
          await remediation.suggest(incident).catch((e) => o.log.warn({ incidentId: incident.id, error: String(e) }, 'suggestions failed'));
        }
        return r;
      });
    },
    /** Starts watching runs, then marks steps a crash left running as interrupted (nothing re-runs). */
    async start(): Promise<void> {
      board.start();
      await engine.recoverInterrupted();
    },
    async close(): Promise<void> {
      await engine.close();
      await board.settle().catch(() => undefined);
      board.stop();
      await runner.close();
    },
  };
}

export type RemediationWiring = Awaited<ReturnType<typeof createRemediation>>;

/**
 * Escalations (the run card's Escalate button, runbook escalate steps) go to the incident: its
 * PagerDuty incident is escalated when PagerDuty is on (to the named policy when it is configured,
 * else the next level); otherwise the fallback takes it (a log line) and the timeline records it.
 */
class IncidentEscalator implements Escalator {
  constructor(
    private readonly incidents: IncidentService,
    private readonly policies: readonly string[],
    private readonly clock: Clock,
    private readonly fallback: Escalator,
  ) {}

  async escalate(to: string, reason: string, ctx: EscalationContext): Promise<EscalationResult> {
    if (ctx.incidentId === null) return this.fallback.escalate(to, reason, ctx);
    const policy = this.policies.includes(to) ? to : undefined;
    try {
      await this.incidents.escalate(ctx.incidentId, ctx.actor, policy ? { policyId: policy } : {});
      return { message: `escalated in PagerDuty to ${policy ?? 'the next level'}`, paged: true };
    } catch (e) {
      if (!isCoded(e, ErrorCode.Unavailable)) throw e;
    }
    const r = await this.fallback.escalate(to, reason, ctx);
    const paged = r.paged === true;
    const why = escapeMrkdwn(reason);
    // Without a pager nobody is paged: the timeline, the handoff and the audit say so (data.paged).
    await this.incidents.record(ctx.incidentId, {
      at: this.clock.now(), actor: ctx.actor, kind: 'escalation',
      text: paged ? `escalated to ${code(to)}: ${why}` : `asked to escalate to ${code(to)}; nobody was paged (PagerDuty is off): ${why}`,
      data: { runId: ctx.runId, stepId: ctx.stepId, to, ref: r.ref ?? null, paged },
    }, paged
      ? `:rotating_light: <@${ctx.actor}> escalated to *${escapeMrkdwn(to)}*: ${why}`
      : `:warning: <@${ctx.actor}> asked to escalate to *${escapeMrkdwn(to)}*, but *nobody was paged*: PagerDuty is off. Contact *${escapeMrkdwn(to)}* yourself. ${why}`);
    return { ...r, paged };
  }
}
