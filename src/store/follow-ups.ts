/** FollowUpStore over Kysely: each change lands with its timeline events and effects in one transaction. */
import type { Kysely, Selectable } from 'kysely';
import type { NewEffect } from '#core/effects.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { FollowUp, FollowUpStore, NewFollowUp } from '#core/followups/model.js';
import type { NewEvent } from '#core/incidents/timeline.js';
import type { Database } from './db.js';
import { appendTimeline } from './incident-store.js';
import { toMs } from './rows.js';
import type { FollowUpsTable, Tables } from './tables.js';

const toFollowUp = (r: Selectable<FollowUpsTable>): FollowUp => ({
  id: Number(r.id), incidentId: Number(r.incident_id), text: r.text, owner: r.owner, createdBy: r.created_by,
  createdAt: new Date(Number(r.created_at)), doneBy: r.done_by, doneAt: r.done_at === null ? null : new Date(Number(r.done_at)),
  issueUrl: r.issue_url,
});

/** The follow-up's id goes into each event's data. */
const withId = (events: NewEvent[], id: number): NewEvent[] => events.map((e) => ({ ...e, data: { ...(e.data ?? {}), followUpId: id } }));

export class KyselyFollowUpStore implements FollowUpStore {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db;
  }

  add(input: NewFollowUp, events: NewEvent[], effects: NewEffect[]): Promise<FollowUp> {
    const at = toMs(input.createdAt);
    return this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('incidents').select('id').where('id', '=', input.incidentId).executeTakeFirst();
      if (!found) throw new CodedError(ErrorCode.NotFound, `INC-${input.incidentId} does not exist.`);
      const row = await trx.insertInto('follow_ups')
        .values({ incident_id: input.incidentId, text: input.text, owner: input.owner, created_by: input.createdBy, created_at: at, done_by: null, done_at: null, issue_url: null })
        .returningAll().executeTakeFirstOrThrow();
      await appendTimeline(trx, input.incidentId, withId(events, Number(row.id)), effects, at);
      return toFollowUp(row);
    });
  }

  async get(id: number): Promise<FollowUp | undefined> {
    const r = await this.db.selectFrom('follow_ups').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toFollowUp(r);
  }

  async forIncident(incidentId: number): Promise<FollowUp[]> {
    const rows = await this.db.selectFrom('follow_ups').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
    return rows.map(toFollowUp);
  }

  async openFor(incidentIds: readonly number[]): Promise<FollowUp[]> {
    if (incidentIds.length === 0) return [];
    const out: FollowUp[] = [];
    for (let i = 0; i < incidentIds.length; i += 5000) {
      const rows = await this.db.selectFrom('follow_ups').selectAll()
        .where('incident_id', 'in', [...incidentIds.slice(i, i + 5000)]).where('done_at', 'is', null).orderBy('id').execute();
      out.push(...rows.map(toFollowUp));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  markDone(id: number, by: string, at: Date, events: NewEvent[], effects: NewEffect[]): Promise<FollowUp | null> {
    const ms = toMs(at);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('follow_ups').set({ done_by: by, done_at: ms })
        .where('id', '=', id).where('done_at', 'is', null).returningAll().executeTakeFirst();
      if (!row) return null;
      await appendTimeline(trx, Number(row.incident_id), withId(events, id), effects, ms);
      return toFollowUp(row);
    });
  }

  async setIssueUrl(id: number, url: string): Promise<void> {
    await this.db.updateTable('follow_ups').set({ issue_url: url }).where('id', '=', id).execute();
  }
}
