/** IncidentStore over Kysely: SQLite and PostgreSQL, one code path. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { NewEffect } from '#core/effects.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Incident, IncidentPatch, NewIncident } from '#core/incidents/incident.js';
import { OPEN_STATUSES } from '#core/incidents/status.js';
import type { NewEvent, TimelineEvent } from '#core/incidents/timeline.js';
import { systemClock, type Clock, type IncidentStore } from '#core/ports.js';
import type { Database } from './db.js';
import { effectRow, eventRow, patchRow, titleKey, toEvent, toIncident, toMs } from './rows.js';
import type { IncidentsTable, Tables } from './tables.js';

type Db = Kysely<Tables> | Transaction<Tables>;

/** Atomically increments a named counter and returns the new value (1 on first use). */
export async function nextCounter(db: Db, name: string): Promise<number> {
  const row = await db
    .insertInto('counters')
    .values({ name, value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql<number>`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** Inserts events and effects for one incident. Effects become due at `atMs`. */
export async function appendTimeline(db: Db, incidentId: number, events: NewEvent[], effects: NewEffect[], atMs: number) {
  if (events.length) await db.insertInto('events').values(events.map((e) => eventRow(incidentId, e))).execute();
  if (effects.length) await db.insertInto('effects').values(effects.map((e) => effectRow(incidentId, e, atMs))).execute();
}

/** Inserts a new incident with id `id` (from nextCounter) and its first events and effects, inside `trx`. */
export async function insertIncident(trx: Db, id: number, input: NewIncident, events: NewEvent[], effects: NewEffect[]): Promise<Incident> {
  const createdAt = toMs(input.createdAt);
  const row: IncidentsTable = {
    id,
    title: input.title,
    title_key: titleKey(input.title),
    severity: input.severity,
    status: 'investigating',
    commander: input.commander,
    opened_by: input.openedBy,
    summary: input.summary,
    service: input.service,
    system: input.system ?? null,
    channel: input.channel,
    source_channel: input.sourceChannel,
    card_ts: null,
    created_at: createdAt,
    acknowledged_at: null,
    acknowledged_by: null,
    mitigated_at: null,
    resolved_at: null,
    resolution: null,
    last_update_at: createdAt,
    last_reminder_at: null,
    version: 1,
  };
  await trx.insertInto('incidents').values(row).execute();
  await appendTimeline(trx, id, events, effects, createdAt);
  return toIncident(row);
}

export class KyselyIncidentStore implements IncidentStore {
  private readonly db: Kysely<Tables>;

  /**
   * `clock` dates effects when a change carries no event; otherwise effects are due at the first
   * event's time (or the incident's createdAt), so they follow the core's clock.
   */
  constructor(database: Database, private readonly clock: Clock = systemClock) {
    this.db = database.db;
  }

  async create(input: NewIncident, events: NewEvent[], effects: NewEffect[], options: { duplicateSince?: Date } = {}): Promise<Incident> {
    return this.db.transaction().execute(async (trx) => {
      // The counter row is locked until commit: creates are serialized, so this check is race-free.
      const id = await nextCounter(trx, 'incident');
      if (options.duplicateSince) {
        const dup = await trx.selectFrom('incidents').select('id')
          .where('opened_by', '=', input.openedBy).where('source_channel', '=', input.sourceChannel)
          .where('title_key', '=', titleKey(input.title)).where('created_at', '>=', toMs(options.duplicateSince))
          .orderBy('id', 'desc').executeTakeFirst();
        if (dup) throw new CodedError(ErrorCode.Conflict, `INC-${dup.id} was opened moments ago`, { incidentId: Number(dup.id) });
      }
      return insertIncident(trx, id, input, events, effects);
    });
  }

  async get(id: number): Promise<Incident | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toIncident(row);
  }

  async findByThread(channel: string, threadTs: string): Promise<Incident | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('channel', '=', channel)
      .where('card_ts', '=', threadTs)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row && toIncident(row);
  }

  async findRecentDuplicate(openedBy: string, sourceChannel: string, title: string, since: Date): Promise<Incident | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('opened_by', '=', openedBy)
      .where('source_channel', '=', sourceChannel)
      .where('title_key', '=', titleKey(title))
      .where('created_at', '>=', toMs(since))
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row && toIncident(row);
  }

  async listOpen(): Promise<Incident[]> {
    const rows = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('status', 'in', [...OPEN_STATUSES])
      .orderBy('id')
      .execute();
    return rows.map(toIncident);
  }

  async listBetween(since: Date, until: Date): Promise<Incident[]> {
    // Overlaps [since, until): opened before `until` and not resolved before `since`.
    const rows = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('created_at', '<', toMs(until))
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', toMs(since))]))
      .orderBy('id')
      .execute();
    return rows.map(toIncident);
  }

  async change(id: number, expectedVersion: number, patch: IncidentPatch, events: NewEvent[], effects: NewEffect[]): Promise<Incident> {
    const set = patchRow(patch);
    const at = events[0] ? toMs(events[0].at) : toMs(this.clock.now());
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('incidents')
        .set({ ...set, version: expectedVersion + 1 })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const current = await trx.selectFrom('incidents').select('version').where('id', '=', id).executeTakeFirst();
        if (!current) throw new CodedError(ErrorCode.NotFound, `INC-${id} does not exist.`);
        throw new CodedError(ErrorCode.Conflict, `INC-${id} was changed by someone else; try again.`, {
          expectedVersion,
          version: Number(current.version),
        });
      }
      await appendTimeline(trx, id, events, effects, at);
      return toIncident(row);
    });
  }

  async events(incidentId: number): Promise<TimelineEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy('id')
      .execute();
    return rows.map(toEvent);
  }

  async record(incidentId: number, events: NewEvent[], effects: NewEffect[]): Promise<void> {
    const at = events[0] ? toMs(events[0].at) : toMs(this.clock.now());
    await this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('incidents').select('id').where('id', '=', incidentId).executeTakeFirst();
      if (!found) throw new CodedError(ErrorCode.NotFound, `INC-${incidentId} does not exist.`);
      await appendTimeline(trx, incidentId, events, effects, at);
    });
  }

  async claim(key: string, at: Date): Promise<boolean> {
    const row = await this.db
      .insertInto('claims')
      .values({ key, claimed_at: toMs(at) })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }
}
