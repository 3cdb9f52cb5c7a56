/** HandoffStore over Kysely: notes, posted handoffs and the time-window reads of the summary. */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { HandoffNote, HandoffStore, PageRecord, PendingApproval, PostedHandoff, RunWithSteps, StepAttemptRow } from '#core/handoffs/ports.js';
import type { TimelineEvent } from '#core/incidents/timeline.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import type { RunState, StepState } from '#core/runs/step-state.js';
import type { Database } from './db.js';
import { toEvent, toMs } from './rows.js';
import type { ApprovalsTable } from './remediation.js';
import type { RunTables } from './runs.js';
import type { Tables } from './tables.js';

interface HandoffNotesTable {
  id: Generated<number>;
  at: number;
  author: string;
  text: string;
  incident_id: number | null;
}
interface HandoffsTable {
  id: Generated<number>;
  key: string;
  since: number;
  until: number;
  posted_at: number;
  posted_by: string;
  channel: string | null;
  ts: string | null;
  incoming: string | null;
  dm_channel: string | null;
  dm_ts: string | null;
  accepted_by: string | null;
  accepted_at: number | null;
  reminded_at: number | null;
  escalated_at: number | null;
  headline: string;
}
export type HandoffTables = Tables & RunTables & { handoff_notes: HandoffNotesTable; handoffs: HandoffsTable; approvals: ApprovalsTable };

const date = (v: number | string) => new Date(Number(v));
const dateOrNull = (v: number | string | null) => (v === null ? null : date(v));
/** IN lists in chunks (SQLite allows 32766 parameters, PostgreSQL 65535). */
const CHUNK = 5000;
const chunks = <T>(l: readonly T[]) => Array.from({ length: Math.ceil(l.length / CHUNK) }, (_, i) => l.slice(i * CHUNK, (i + 1) * CHUNK));

const toHandoff = (r: Selectable<HandoffsTable>): PostedHandoff => ({
  id: Number(r.id), key: r.key, since: date(r.since), until: date(r.until), postedAt: date(r.posted_at), postedBy: r.posted_by,
  channel: r.channel, ts: r.ts, incoming: r.incoming, dmChannel: r.dm_channel, dmTs: r.dm_ts, acceptedBy: r.accepted_by,
  acceptedAt: dateOrNull(r.accepted_at), remindedAt: dateOrNull(r.reminded_at), escalatedAt: dateOrNull(r.escalated_at), headline: r.headline,
});

export class KyselyHandoffStore implements HandoffStore {
  private readonly db: Kysely<HandoffTables>;

  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<HandoffTables>;
  }

  async addNote(n: Omit<HandoffNote, 'id'>): Promise<HandoffNote> {
    const row = await this.db
      .insertInto('handoff_notes')
      .values({ at: toMs(n.at), author: n.author, text: n.text, incident_id: n.incidentId })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...n, id: Number(row.id) };
  }

  async notesBetween(since: Date, until: Date): Promise<HandoffNote[]> {
    const rows = await this.db.selectFrom('handoff_notes').selectAll()
      .where('at', '>=', toMs(since)).where('at', '<', toMs(until)).orderBy('at').orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), at: date(r.at), author: r.author, text: r.text, incidentId: r.incident_id === null ? null : Number(r.incident_id) }));
  }

  async eventsBetween(since: Date, until: Date, kinds?: readonly string[]): Promise<TimelineEvent[]> {
    let q = this.db.selectFrom('events').selectAll().where('at', '>=', toMs(since)).where('at', '<', toMs(until));
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    return (await q.orderBy('at').orderBy('id').execute()).map(toEvent);
  }

  async latestEvents(incidentIds: readonly number[], kinds: readonly string[], until: Date): Promise<Map<number, TimelineEvent>> {
    const out = new Map<number, TimelineEvent>();
    for (const ids of chunks(incidentIds)) {
      const latest = this.db.selectFrom('events').select((eb) => eb.fn.max('id').as('id'))
        .where('incident_id', 'in', ids).where('kind', 'in', [...kinds]).where('at', '<', toMs(until)).groupBy('incident_id');
      const rows = await this.db.selectFrom('events').selectAll().where('id', 'in', latest).execute();
      for (const r of rows) out.set(Number(r.incident_id), toEvent(r));
    }
    return out;
  }

  async pendingApprovals(incidentIds: readonly number[], at: Date): Promise<PendingApproval[]> {
    const out: PendingApproval[] = [];
    const ms = toMs(at);
    for (const ids of chunks(incidentIds)) {
      const rows = await this.db.selectFrom('approvals').selectAll()
        .where('incident_id', 'in', ids).where('requested_at', '<', ms).where('expires_at', '>', ms)
        .where((eb) => eb.or([eb('state', '=', 'pending'), eb('decided_at', '>', ms)]))
        .orderBy('id').execute();
      out.push(...rows.map((r) => ({
        incidentId: Number(r.incident_id), runId: Number(r.run_id), stepId: r.step_id, requestedBy: r.requested_by,
        requestedAt: date(r.requested_at), expiresAt: date(r.expires_at),
      })));
    }
    return out;
  }

  async pagesBetween(since: Date, until: Date): Promise<PageRecord[]> {
    const rows = await this.db.selectFrom('effects').select(['incident_id', 'payload', 'state', 'created_at', 'last_error'])
      .where('target', '=', 'pager').where('created_at', '>=', toMs(since)).where('created_at', '<', toMs(until))
      .orderBy('created_at').orderBy('id').execute();
    const out: PageRecord[] = [];
    for (const r of rows) {
      const p = JSON.parse(r.payload) as { type?: string; actor?: string; level?: number; policyId?: string };
      if (p.type !== 'pager.trigger' && p.type !== 'pager.escalate') continue;
      const detail = p.type === 'pager.escalate' ? (p.policyId ? `to policy ${p.policyId}` : `to level ${p.level ?? 'next'}`) : 'triggered';
      out.push({
        incidentId: Number(r.incident_id), at: date(r.created_at), kind: p.type === 'pager.trigger' ? 'page' : 'escalation',
        actor: p.actor ?? 'opsroom', state: r.state, detail: r.last_error && r.state !== 'done' ? `${detail} (${r.last_error})` : detail,
      });
    }
    return out;
  }

  async attemptsBetween(since: Date, until: Date): Promise<StepAttemptRow[]> {
    const rows = await this.db
      .selectFrom('step_attempts as a')
      .innerJoin('runs as r', 'r.id', 'a.run_id')
      .innerJoin('step_runs as s', (j) => j.onRef('s.run_id', '=', 'a.run_id').onRef('s.step_id', '=', 'a.step_id'))
      .selectAll('a')
      .select(['r.runbook_id', 'r.incident_id', 's.step'])
      .where('a.started_at', '>=', toMs(since))
      .where('a.started_at', '<', toMs(until))
      .orderBy('a.started_at')
      .execute();
    return rows.map((r) => {
      const step = JSON.parse(r.step) as ResolvedStep;
      return {
        attempt: {
          runId: Number(r.run_id), stepId: r.step_id, number: Number(r.number), actor: r.actor, startedAt: date(r.started_at),
          finishedAt: dateOrNull(r.finished_at), target: r.target, command: r.command, state: r.state as StepAttemptRow['attempt']['state'],
          exitCode: r.exit_code === null ? null : Number(r.exit_code), durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
          output: r.output, outputDroppedBytes: Number(r.output_dropped_bytes), error: r.error,
          approvalRefs: JSON.parse(r.approval_refs) as string[], lockOwner: r.lock_owner, instance: r.instance,
        },
        run: { id: Number(r.run_id), runbookId: r.runbook_id, incidentId: r.incident_id === null ? null : Number(r.incident_id) },
        title: step.title ?? r.step_id,
        danger: step.danger === true,
      };
    });
  }

  async unfinishedRuns(incidentIds: readonly number[]): Promise<RunWithSteps[]> {
    const out: RunWithSteps[] = [];
    for (const ids of chunks(incidentIds)) {
      const runs = await this.db.selectFrom('runs').selectAll().where('incident_id', 'in', ids).where('state', '!=', 'succeeded').orderBy('id').execute();
      if (!runs.length) continue;
      const steps = await this.db.selectFrom('step_runs').selectAll().where('run_id', 'in', runs.map((r) => r.id)).orderBy('run_id').orderBy('position').execute();
      for (const r of runs) {
        out.push({
          run: {
            id: Number(r.id), runbookId: r.runbook_id, incidentId: r.incident_id === null ? null : Number(r.incident_id),
            params: JSON.parse(r.params) as Record<string, unknown>, startedBy: r.started_by, createdAt: date(r.created_at), state: r.state as RunState,
          },
          steps: steps.filter((s) => Number(s.run_id) === Number(r.id)).map((s) => {
            const step = JSON.parse(s.step) as ResolvedStep;
            return { stepId: s.step_id, title: step.title ?? s.step_id, state: s.state as StepState };
          }),
        });
      }
    }
    return out;
  }

  async insertHandoff(h: Omit<PostedHandoff, 'id'>): Promise<PostedHandoff | undefined> {
    const row = await this.db
      .insertInto('handoffs')
      .values({
        key: h.key, since: toMs(h.since), until: toMs(h.until), posted_at: toMs(h.postedAt), posted_by: h.postedBy, channel: h.channel, ts: h.ts,
        incoming: h.incoming, dm_channel: h.dmChannel, dm_ts: h.dmTs, accepted_by: h.acceptedBy, accepted_at: h.acceptedAt && toMs(h.acceptedAt),
        reminded_at: h.remindedAt && toMs(h.remindedAt), escalated_at: h.escalatedAt && toMs(h.escalatedAt), headline: h.headline,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row ? { ...h, id: Number(row.id) } : undefined;
  }

  async handoffByKey(key: string): Promise<PostedHandoff | undefined> {
    const r = await this.db.selectFrom('handoffs').selectAll().where('key', '=', key).executeTakeFirst();
    return r && toHandoff(r);
  }

  async previousShiftHandoff(at: Date): Promise<PostedHandoff | undefined> {
    const r = await this.db.selectFrom('handoffs').selectAll()
      .where('key', 'like', 'shift:%').where('until', '<', toMs(at)).orderBy('until', 'desc').limit(1).executeTakeFirst();
    return r && toHandoff(r);
  }

  async handoffByMessage(channel: string, ts: string): Promise<PostedHandoff | undefined> {
    const r = await this.db.selectFrom('handoffs').selectAll()
      .where((eb) => eb.or([eb.and([eb('channel', '=', channel), eb('ts', '=', ts)]), eb.and([eb('dm_channel', '=', channel), eb('dm_ts', '=', ts)])]))
      .executeTakeFirst();
    return r && toHandoff(r);
  }

  async setMessages(id: number, m: Partial<Pick<PostedHandoff, 'channel' | 'ts' | 'dmChannel' | 'dmTs' | 'incoming'>>): Promise<void> {
    const set: Partial<Record<'channel' | 'ts' | 'dm_channel' | 'dm_ts' | 'incoming', string | null>> = {};
    if (m.channel !== undefined) set.channel = m.channel;
    if (m.ts !== undefined) set.ts = m.ts;
    if (m.dmChannel !== undefined) set.dm_channel = m.dmChannel;
    if (m.dmTs !== undefined) set.dm_ts = m.dmTs;
    if (m.incoming !== undefined) set.incoming = m.incoming;
    if (Object.keys(set).length) await this.db.updateTable('handoffs').set(set).where('id', '=', id).execute();
  }

  async accept(id: number, user: string, at: Date): Promise<boolean> {
    const r = await this.db.updateTable('handoffs').set({ accepted_by: user, accepted_at: toMs(at) })
      .where('id', '=', id).where('accepted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async markReminded(id: number, at: Date): Promise<boolean> {
    const r = await this.db.updateTable('handoffs').set({ reminded_at: toMs(at) })
      .where('id', '=', id).where('reminded_at', 'is', null).where('accepted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async markEscalated(id: number, at: Date): Promise<boolean> {
    const r = await this.db.updateTable('handoffs').set({ escalated_at: toMs(at) })
      .where('id', '=', id).where('escalated_at', 'is', null).where('accepted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async unaccepted(since: Date): Promise<PostedHandoff[]> {
    const rows = await this.db.selectFrom('handoffs').selectAll()
      .where('accepted_at', 'is', null).where('posted_at', '>=', toMs(since)).where('ts', 'is not', null).orderBy('id').execute();
    return rows.map(toHandoff);
  }
}
