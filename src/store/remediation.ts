/**
 * Stores for remediation from Slack: approvals (compare-and-set moves) and chat refs, which say
 * where a run's card, a step's output or an approval request was posted (key <-> channel/ts), so a
 * click is traced back from the message Slack signed, and a restarted bot finds its cards again.
 */
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Approval, ApprovalRecord, ApprovalState, ApprovalStore, NewApproval } from '#core/runs/approvals.js';
import type { Database } from './db.js';
import { appendTimeline } from './incident-store.js';
import type { Tables as IncidentTables } from './tables.js';

export interface ApprovalsTable {
  id: Generated<number>;
  run_id: number;
  step_id: string;
  action: string;
  incident_id: number | null;
  fingerprint: string;
  requested_by: string;
  requested_at: number;
  expires_at: number;
  state: string;
  decided_by: string | null;
  decided_at: number | null;
}
interface ChatRefsTable {
  key: string;
  channel: string;
  ts: string;
}
type Tables = { approvals: ApprovalsTable; chat_refs: ChatRefsTable };

const toApproval = (r: Selectable<ApprovalsTable>): Approval => ({
  id: Number(r.id), runId: Number(r.run_id), stepId: r.step_id, action: r.action as Approval['action'],
  incidentId: r.incident_id === null ? null : Number(r.incident_id), fingerprint: r.fingerprint,
  requestedBy: r.requested_by, requestedAt: new Date(Number(r.requested_at)), expiresAt: new Date(Number(r.expires_at)),
  state: r.state as ApprovalState, decidedBy: r.decided_by, decidedAt: r.decided_at === null ? null : new Date(Number(r.decided_at)),
});

/** An approval's timeline events and effects, inside its transaction (effects due at the first event's time). */
async function appendRecord(trx: Transaction<Tables>, r: ApprovalRecord, at: Date): Promise<void> {
  const when = r.events[0]?.at ?? at;
  await appendTimeline(trx as unknown as Transaction<IncidentTables>, r.incidentId, r.events, r.effects, when.getTime());
}

export class KyselyApprovalStore implements ApprovalStore {
  private readonly db: Kysely<Tables>;
  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<Tables>;
  }

  async createApproval(a: NewApproval, record?: (a: Approval) => ApprovalRecord): Promise<Approval> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('approvals').values({
        run_id: a.runId, step_id: a.stepId, action: a.action, incident_id: a.incidentId, fingerprint: a.fingerprint,
        requested_by: a.requestedBy, requested_at: a.requestedAt.getTime(), expires_at: a.expiresAt.getTime(), state: 'pending',
        decided_by: null, decided_at: null,
      }).returningAll().executeTakeFirstOrThrow();
      const created = toApproval(row);
      if (record) await appendRecord(trx, record(created), a.requestedAt);
      return created;
    });
  }

  async getApproval(id: number): Promise<Approval | undefined> {
    const row = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApproval(row);
  }

  async moveApproval(id: number, from: ApprovalState, to: ApprovalState, by: string | null, at: Date, record?: ApprovalRecord): Promise<boolean> {
    const patch = to === 'used' ? { state: to } : { state: to, decided_by: by, decided_at: at.getTime() };
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('approvals').set(patch).where('id', '=', id).where('state', '=', from).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (record) await appendRecord(trx, record, at);
      return true;
    });
  }

  async overdue(now: Date, limit: number): Promise<Approval[]> {
    const rows = await this.db.selectFrom('approvals').selectAll().where('state', '=', 'pending')
      .where('expires_at', '<', now.getTime()).orderBy('expires_at').limit(limit).execute();
    return rows.map(toApproval);
  }
}

export interface ChatRef {
  key: string;
  channel: string;
  ts: string;
}

/** Where messages were posted: `run:<id>` (card), `out:<run>/<step>/<attempt>`, `approval:<id>`, `suggest:<incident>`. */
export class KyselyChatRefs {
  private readonly db: Kysely<Tables>;
  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<Tables>;
  }

  async put(key: string, channel: string, ts: string): Promise<void> {
    await this.db.insertInto('chat_refs').values({ key, channel, ts })
      .onConflict((oc) => oc.column('key').doUpdateSet({ channel, ts })).execute();
  }

  async get(key: string): Promise<ChatRef | undefined> {
    return this.db.selectFrom('chat_refs').selectAll().where('key', '=', key).executeTakeFirst();
  }

  /** The keys of a message (a card has one; lookups filter by prefix). */
  async keysOf(channel: string, ts: string): Promise<string[]> {
    const rows = await this.db.selectFrom('chat_refs').select('key').where('channel', '=', channel).where('ts', '=', ts).execute();
    return rows.map((r) => r.key);
  }
}
