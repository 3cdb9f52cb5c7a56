/**
 * GET /readyz (mounted only once the replica serves requests): 200 when the database answers
 * and takes writes (no storage fault since the last successful write), migrations applied, Slack
 * token accepted (auth.test, cached for `slackTtlMs`) and not shutting down — else 503. The body
 * lists what fails and each check: `{"ready":false,"failing":["slack"],"checks":{"database":"ok",…,"slack":"invalid_auth"}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CompiledQuery } from 'kysely';
import { pendingMigrations, ping, type Database } from '#store/index.js';
import { storageFault } from '#store/guard.js';

export interface ReadinessOptions {
  database: Database;
  /** Throws when Slack refuses the token (e.g. `client.auth.test()`). */
  slackAuth: () => Promise<unknown>;
  /** False while shutting down. */
  open: () => boolean;
  slackTtlMs?: number;
  timeoutMs?: number;
}

type Check = 'ok' | string;

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

const reason = (e: unknown) => {
  const err = e as { data?: { error?: string }; message?: string };
  return err?.data?.error ?? err?.message ?? String(e);
};

/** A write that changes nothing: fails on a read-only or locked database, or a read-only PostgreSQL. */
const probeWrite = (database: Database) =>
  database.db.executeQuery(CompiledQuery.raw("update leases set owner = owner where name = 'readiness-probe'"));

/** The probe proves a lock or read-only state is gone, not that there is room: a full disk is remembered until rows are written. */
const fullDisk = (fault: string | undefined) => (fault && /SQLITE_FULL|53100|no space|disk full/i.test(fault) ? fault : undefined);

export function readiness(o: ReadinessOptions) {
  let slack: { at: number; result: Check } | undefined;
  const timeout = o.timeoutMs ?? 2000;

  async function slackCheck(): Promise<Check> {
    // A refusal is asked again sooner than a success (it may have been "starting").
    const ttl = slack?.result === 'ok' ? (o.slackTtlMs ?? 30_000) : Math.min(o.slackTtlMs ?? 30_000, 1000);
    if (slack && Date.now() - slack.at < ttl) return slack.result;
    const result = await within(o.slackAuth(), timeout).then(() => 'ok', reason);
    slack = { at: Date.now(), result };
    return result;
  }

  async function check(): Promise<{ ready: boolean; failing: string[]; checks: Record<string, Check> }> {
    const fault = (e: unknown) => storageFault(e) ?? reason(e);
    const reached = await within(ping(o.database), timeout).then(() => 'ok', fault);
    const database = reached !== 'ok'
      ? reached
      : await within(probeWrite(o.database), timeout).then(() => fullDisk(o.database.health?.current()) ?? 'ok', fault);
    const migrations = reached !== 'ok'
      ? 'unknown'
      : await within(pendingMigrations(o.database), timeout).then((p) => (p.length ? `pending: ${p.join(', ')}` : 'ok'), reason);
    const checks: Record<string, Check> = { database, migrations, slack: await slackCheck() };
    if (!o.open()) checks.shutdown = 'shutting down';
    const failing = Object.keys(checks).filter((k) => checks[k] !== 'ok');
    return { ready: failing.length === 0, failing, checks };
  }

  const route = async (_req: IncomingMessage, res: ServerResponse) => {
    const r = await check();
    res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(r)}\n`);
  };
  return { check, route };
}
