/**
 * Stores for remediation from Slack: approvals (compare-and-set moves) and chat refs, which say
 * where a run's card, a step's output or an approval request was posted (key <-> channel/ts), so a
 * click is traced back from the message Slack signed, and a restarted bot finds its cards again.
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Approval, ApprovalState, ApprovalStore, NewApproval } from '../core/runs/approvals.js';
import type { Database } from './db.js';

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

export class KyselyApprovalStore implements ApprovalStore {
  private readonly db: Kysely<Tables>;
  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<Tables>;
  }

  async createApproval(a: NewApproval): Promise<Approval> {
    const row = await this.db.insertInto('approvals').values({
      run_id: a.runId, step_id: a.stepId, action: a.action, incident_id: a.incidentId, fingerprint: a.fingerprint,
      requested_by: a.requestedBy, requested_at: a.requestedAt.getTime(), expires_at: a.expiresAt.getTime(), state: 'pending',
      decided_by: null, decided_at: null,
    }).returningAll().executeTakeFirstOrThrow();
    return toApproval(row);
  }

  async getApproval(id: number): Promise<Approval | undefined> {
    const row = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApproval(row);
  }

  async moveApproval(id: number, from: ApprovalState, to: ApprovalState, by: string | null, at: Date): Promise<boolean> {
    const patch = to === 'used' ? { state: to } : { state: to, decided_by: by, decided_at: at.getTime() };
    const r = await this.db.updateTable('approvals').set(patch).where('id', '=', id).where('state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
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
