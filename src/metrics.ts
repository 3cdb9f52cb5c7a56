/**
 * Prometheus metrics (prom-client), one registry per opsroom instance.
 *
 * Cluster-wide numbers (incidents, step runs, outbox depth) are read from the database when
 * scraped, so every replica reports the same totals; per-process numbers (API calls, durations,
 * acknowledgement latency) are counted where they happen through small hooks:
 * `instrumentSlack(client)`, `instrumentPager(pager)`, `timeAck(res)`, `watchRuns(engine)`.
 */
import type { ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Incident } from '#core/incidents/incident.js';
import type { Pager } from '#core/ports.js';
import type { RunEvent } from '#core/runs/events.js';
import type { Database } from '#store/index.js';

/** What the metrics read from the database. */
export interface MetricsSources {
  database: Database;
  outbox: { depth(): Promise<number> };
}

/** The parts of @slack/web-api's WebClient that every call passes through. */
interface SlackInternals {
  slackApiUrl?: string;
  makeRequest(url: string, ...rest: unknown[]): Promise<unknown>;
  buildResult(response: { url?: string }): Promise<{ ok?: boolean; error?: unknown }>;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STEP_SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Incident response times: 1 minute to 3 days. */
const RESPONSE_SECONDS = [60, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200];

/** Kind of a step from its stored target (`docker:…`, `ssh:…`, `http:…`; anything else is the engine's own). */
const stepKind = (target: string) => /^(docker|ssh|http):/.exec(target)?.[1] ?? 'other';

export class Metrics {
  readonly registry = new Registry();
  private readonly slackCalls: Counter;
  private readonly slackErrors: Counter;
  private readonly pagerCalls: Counter;
  private readonly pagerErrors: Counter;
  private readonly ackSeconds: Histogram;
  private readonly stepSeconds: Histogram;
  private readonly responseSeconds: Record<'ack' | 'mitigate' | 'resolve', Histogram>;
  /** Alert webhooks by source and outcome, and the alerts they carried by status (src/alerts/). */
  readonly alertDeliveries: Counter;
  readonly alertsReceived: Counter;
  private readonly instrumented = new WeakSet<object>();
  private readonly stepKinds = new Map<string, string>();

  constructor(sources: MetricsSources, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'opsroom_' });
    const { db } = sources.database;
    new Gauge({
      name: 'opsroom_incidents', help: 'Incidents by state and severity (whole database)', labelNames: ['state', 'severity'], registers,
      async collect() {
        this.reset();
        const rows = await db.selectFrom('incidents').select(['status', 'severity', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(['status', 'severity']).execute();
        for (const r of rows) this.set({ state: r.status, severity: r.severity }, Number(r.n));
      },
    });
    new Gauge({
      name: 'opsroom_step_runs', help: 'Step attempts by kind and result (whole database)', labelNames: ['kind', 'result'], registers,
      async collect() {
        this.reset();
        const rows = await (db as unknown as import('kysely').Kysely<{ step_attempts: { target: string; state: string } }>)
          .selectFrom('step_attempts').select(['target', 'state', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(['target', 'state']).execute().catch(() => []);
        for (const r of rows) this.inc({ kind: stepKind(r.target), result: r.state }, Number(r.n));
      },
    });
    new Gauge({
      name: 'opsroom_outbox_depth', help: 'Effects waiting for delivery (whole database)', registers,
      async collect() {
        this.set(await sources.outbox.depth());
      },
    });
    this.slackCalls = new Counter({ name: 'opsroom_slack_api_calls_total', help: 'Slack Web API calls by method', labelNames: ['method'], registers });
    this.slackErrors = new Counter({ name: 'opsroom_slack_api_errors_total', help: 'Failed Slack Web API calls by method and error', labelNames: ['method', 'error'], registers });
    this.pagerCalls = new Counter({ name: 'opsroom_pagerduty_api_calls_total', help: 'PagerDuty calls by operation', labelNames: ['method'], registers });
    this.pagerErrors = new Counter({ name: 'opsroom_pagerduty_api_errors_total', help: 'Failed PagerDuty calls by operation', labelNames: ['method'], registers });
    this.alertDeliveries = new Counter({ name: 'opsroom_alert_webhooks_total', help: 'Alert webhooks received by this process, by source and outcome', labelNames: ['source', 'outcome'], registers });
    this.alertsReceived = new Counter({ name: 'opsroom_alerts_received_total', help: 'Alerts in accepted webhooks, by source and status', labelNames: ['source', 'status'], registers });
    this.ackSeconds = new Histogram({
      name: 'opsroom_slack_ack_seconds', help: 'Time from a Slack request arriving to its HTTP answer', labelNames: ['status'], buckets: SECONDS, registers,
    });
    this.stepSeconds = new Histogram({
      name: 'opsroom_step_duration_seconds', help: 'Duration of finished step attempts run by this process', labelNames: ['kind', 'result'], buckets: STEP_SECONDS, registers,
    });
    const response = (name: string, help: string) => new Histogram({ name, help, labelNames: ['system', 'severity'], buckets: RESPONSE_SECONDS, registers });
    this.responseSeconds = {
      ack: response('opsroom_incident_time_to_acknowledge_seconds', 'Time from opening to acknowledgement, observed by the replica that acknowledged'),
      mitigate: response('opsroom_incident_time_to_mitigate_seconds', 'Time from opening to a verified recovery, observed by the replica that verified it'),
      resolve: response('opsroom_incident_time_to_resolve_seconds', 'Time from opening to resolution, observed by the replica that resolved it'),
    };
  }

  /**
   * Counts every HTTP call a WebClient makes and every failure (HTTP errors, rate limits, `ok: false`).
   * The method wrappers are bound at construction, so the hooks are the instance's `makeRequest`
   * and `buildResult`, which every call goes through. Idempotent.
   */
  instrumentSlack<T extends object>(client: T): T {
    const c = client as unknown as SlackInternals;
    if (this.instrumented.has(client) || typeof c.makeRequest !== 'function' || typeof c.buildResult !== 'function') return client;
    this.instrumented.add(client);
    const methodOf = (url: string) => {
      const base = c.slackApiUrl ?? '';
      return base && url.startsWith(base) ? url.slice(base.length).split('?')[0] : 'upload';
    };
    const request = c.makeRequest.bind(client);
    const build = c.buildResult.bind(client);
    c.makeRequest = async (url, ...rest) => {
      const method = methodOf(url);
      this.slackCalls.inc({ method });
      try {
        return await request(url, ...rest);
      } catch (e) {
        const err = e as { code?: string; statusCode?: number; original?: { code?: string } };
        this.slackErrors.inc({ method, error: err.statusCode ? `http_${err.statusCode}` : err.original?.code ?? err.code ?? 'error' });
        throw e;
      }
    };
    c.buildResult = async (response) => {
      const result = await build(response);
      if (result && result.ok === false) this.slackErrors.inc({ method: methodOf(response.url ?? ''), error: String(result.error ?? 'error') });
      return result;
    };
    return client;
  }

  /** A Pager whose calls are counted: `deliver:<effect type>` and `onCall`. */
  instrumentPager(pager: Pager): Pager {
    const count = async <R>(method: string, run: () => Promise<R>): Promise<R> => {
      this.pagerCalls.inc({ method });
      try {
        return await run();
      } catch (e) {
        this.pagerErrors.inc({ method });
        throw e;
      }
    };
    if (!pager.enabled) return pager;
    return new Proxy(pager, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'deliver') return (effect: Parameters<Pager['deliver']>[0], ...rest: unknown[]) =>
          count(`deliver:${effect.payload.type}`, () => (value as (...a: unknown[]) => Promise<unknown>).call(target, effect, ...rest));
        if (prop === 'onCall') return (...args: unknown[]) => count('onCall', () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Starts the acknowledgement timer for one Slack request; observed when the answer is sent. */
  timeAck(res: ServerResponse): void {
    const end = this.ackSeconds.startTimer();
    res.once('finish', () => end({ status: String(res.statusCode) }));
  }

  /** Step durations from the run engine's events (this process's steps). Returns the unsubscribe function. */
  watchRuns(engine: { subscribe(fn: (e: RunEvent) => void): () => void }): () => void {
    return engine.subscribe((e) => {
      if (e.type === 'step.started') this.stepKinds.set(`${e.runId}/${e.stepId}`, stepKind(e.target));
      if (e.type === 'step.finished') {
        const key = `${e.runId}/${e.stepId}`;
        this.stepSeconds.observe({ kind: this.stepKinds.get(key) ?? 'other', result: e.state }, e.durationMs / 1000);
        this.stepKinds.delete(key);
      }
    });
  }

  /**
   * Time to acknowledge, mitigate and resolve, by system and severity: called with an incident
   * before and after a change this process stored, so each replica observes only its own changes.
   */
  observeIncident(before: Incident, after: Incident): void {
    const labels = { system: after.system ?? 'none', severity: after.severity };
    const since = (d: Date) => Math.max(0, d.getTime() - after.createdAt.getTime()) / 1000;
    if (!before.acknowledgedAt && after.acknowledgedAt) this.responseSeconds.ack.observe(labels, since(after.acknowledgedAt));
    if (!before.mitigatedAt && after.mitigatedAt) this.responseSeconds.mitigate.observe(labels, since(after.mitigatedAt));
    if (!before.resolvedAt && after.resolvedAt) this.responseSeconds.resolve.observe(labels, since(after.resolvedAt));
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
