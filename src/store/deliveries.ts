/**
 * Delivery claims: `run(key, work)` runs `work` once per signed request, on any replica.
 * - A claim is leased (owner token + lease_until), renewed while `work` runs. A replica that dies
 *   stops renewing; a retry waits for the lease to lapse and takes the claim over.
 * - The claim is marked done inside the first transaction `work` commits (claim-scope.ts), so
 *   "handled" and the effect are stored together; work that commits nothing marks it done after.
 * - Done claims are kept for `keepMs` (longer than Slack accepts a replayed signature), then pruned.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Once, OnceOptions, OnceResult } from '#core/once.js';
import { claimScope, type ClaimScope, type HeldClaim } from './claim-scope.js';
import type { Database } from './db.js';
import type { Tables } from './tables.js';

export interface DeliveryClaimOptions {
  /** This replica's name (the owner in claims). */
  owner: string;
  /** How long a claim holds without renewal (default 1.5 s): a dead replica's retry waits this long. */
  leaseMs?: number;
  /** How long a handled key is remembered (default 10 min; Slack accepts a signature for 5). */
  keepMs?: number;
  /** Poll interval while another replica holds the key (default 100 ms). */
  pollMs?: number;
  /** Time source in epoch ms (default Date.now). */
  now?: () => number;
}

export type Taken = 'mine' | 'done' | 'busy';

const PRUNE_EVERY_MS = 60_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class KyselyDeliveries implements Once {
  private readonly db: Kysely<Tables>;
  readonly leaseMs: number;
  readonly keepMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(database: Database, private readonly options: DeliveryClaimOptions) {
    this.db = database.db;
    this.leaseMs = options.leaseMs ?? 1500;
    this.keepMs = options.keepMs ?? 10 * 60_000;
    this.pollMs = options.pollMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  async run<T>(key: string, work: () => Promise<T>, options: OnceOptions = {}): Promise<OnceResult<T>> {
    const token = `${this.options.owner}#${randomBytes(4).toString('hex')}`;
    const waitUntil = Date.now() + (options.waitMs ?? this.leaseMs + 500);
    for (;;) {
      const got = await this.take(key, token, options.keepMs ?? this.keepMs);
      if (got === 'mine') break;
      if (got === 'done') return { ran: false };
      if (Date.now() >= waitUntil) return { ran: false, busy: true };
      await sleep(this.pollMs);
    }
    const claim: HeldClaim = { key, token, settled: false };
    const outer = claimScope.getStore();
    const nested = outer?.open === true;
    const scope: ClaimScope = nested ? outer! : { claims: [], open: true };
    scope.claims.push(claim);
    const renewal = setInterval(() => void this.renew(key, token).catch(() => {}), Math.max(20, Math.floor(this.leaseMs / 3)));
    renewal.unref();
    try {
      const value = await (nested ? work() : claimScope.run(scope, work));
      clearInterval(renewal);
      if (!claim.settled) await this.finish(key, token);
      claim.settled = true;
      return { ran: true, value };
    } catch (e) {
      clearInterval(renewal);
      scope.claims.splice(scope.claims.indexOf(claim), 1);
      if (!claim.settled) await this.release(key, token).catch(() => {});
      throw e;
    } finally {
      if (!nested) scope.open = false;
    }
  }

  /** Claims `key` for `token`: new, expired, or left by a claimer whose lease lapsed. */
  async take(key: string, token: string, keepMs = this.keepMs): Promise<Taken> {
    const now = this.now();
    this.pruneNow(now);
    const row = await this.db
      .insertInto('deliveries')
      .values({ key, owner: token, state: 'claimed', lease_until: now + this.leaseMs, claimed_at: now, expires_at: now + keepMs })
      .onConflict((oc) => oc.column('key')
        .doUpdateSet((eb) => ({
          owner: eb.ref('excluded.owner'), state: eb.ref('excluded.state'), lease_until: eb.ref('excluded.lease_until'),
          claimed_at: eb.ref('excluded.claimed_at'), expires_at: eb.ref('excluded.expires_at'),
        }))
        .where((eb) => eb.or([
          eb.and([eb('deliveries.state', '=', 'claimed'), eb('deliveries.lease_until', '<=', now)]),
          eb('deliveries.expires_at', '<=', now),
        ])))
      .returning('key')
      .executeTakeFirst();
    if (row) return 'mine';
    const held = await this.db.selectFrom('deliveries').select('state').where('key', '=', key).executeTakeFirst();
    return held?.state === 'claimed' ? 'busy' : held ? 'done' : 'busy';
  }

  async renew(key: string, token: string): Promise<void> {
    await this.db.updateTable('deliveries').set({ lease_until: this.now() + this.leaseMs })
      .where('key', '=', key).where('owner', '=', token).where('state', '=', 'claimed').execute();
  }

  async finish(key: string, token: string): Promise<void> {
    await this.db.updateTable('deliveries').set({ state: 'done', lease_until: null })
      .where('key', '=', key).where('owner', '=', token).execute();
  }

  /** Gives an unfinished claim back so the next delivery of `key` runs. */
  async release(key: string, token: string): Promise<void> {
    await this.db.deleteFrom('deliveries').where('key', '=', key).where('owner', '=', token).where('state', '=', 'claimed').execute();
  }

  /** The stored state of `key` ('claimed', 'done') or undefined. */
  async state(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('deliveries').select('state').where('key', '=', key).executeTakeFirst())?.state;
  }

  /** Deletes claims whose keep time has passed; returns how many. */
  async prune(now = this.now()): Promise<number> {
    const r = await this.db.deleteFrom('deliveries').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private pruneNow(now: number) {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    void this.prune(now).catch(() => {});
  }
}
