/**
 * Routines in the database (migration 013): scheduled slots claimed once across replicas (a
 * unique key on runbook id + scheduled time), and the channel of each run that has no incident.
 */
import type { Kysely } from 'kysely';
import type { Slot, SlotState, SlotStore } from '#core/routines/ports.js';
import type { Database } from './db.js';
import { toMs } from './rows.js';

interface ScheduleSlotsTable {
  runbook_id: string;
  slot_at: number;
  state: string;
  owner: string;
  claimed_at: number;
  run_id: number | null;
  incident_id: number | null;
}
interface RoutineRunsTable {
  run_id: number;
  channel: string;
  created_at: number;
}
type Tables = { schedule_slots: ScheduleSlotsTable; routine_runs: RoutineRunsTable };

export class KyselySlotStore implements SlotStore {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<Tables>;
  }

  async claimSlot(slot: Omit<Slot, 'runId' | 'incidentId'>, claimedAt: Date): Promise<boolean> {
    const row = await this.db
      .insertInto('schedule_slots')
      .values({ runbook_id: slot.runbookId, slot_at: toMs(slot.at), state: slot.state, owner: slot.owner, claimed_at: toMs(claimedAt), run_id: null, incident_id: null })
      .onConflict((oc) => oc.columns(['runbook_id', 'slot_at']).doNothing())
      .returning('runbook_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async finishSlot(runbookId: string, at: Date, patch: { state: SlotState; runId?: number | null; incidentId?: number | null }): Promise<void> {
    await this.db
      .updateTable('schedule_slots')
      .set({ state: patch.state, ...(patch.runId !== undefined ? { run_id: patch.runId } : {}), ...(patch.incidentId !== undefined ? { incident_id: patch.incidentId } : {}) })
      .where('runbook_id', '=', runbookId)
      .where('slot_at', '=', toMs(at))
      .execute();
  }

  async lastSlot(runbookId: string): Promise<Date | undefined> {
    const row = await this.db.selectFrom('schedule_slots').select('slot_at').where('runbook_id', '=', runbookId).orderBy('slot_at', 'desc').limit(1).executeTakeFirst();
    return row ? new Date(Number(row.slot_at)) : undefined;
  }

  async slots(runbookId: string): Promise<Slot[]> {
    const rows = await this.db.selectFrom('schedule_slots').selectAll().where('runbook_id', '=', runbookId).orderBy('slot_at').execute();
    return rows.map((r) => ({
      runbookId: r.runbook_id, at: new Date(Number(r.slot_at)), state: r.state as SlotState, owner: r.owner,
      runId: r.run_id === null ? null : Number(r.run_id), incidentId: r.incident_id === null ? null : Number(r.incident_id),
    }));
  }
}

/** Where each run without an incident lives (its card's channel). */
export class KyselyRoutineRuns {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<Tables>;
  }

  async bind(runId: number, channel: string, at: Date): Promise<void> {
    await this.db.insertInto('routine_runs').values({ run_id: runId, channel, created_at: toMs(at) }).onConflict((oc) => oc.column('run_id').doNothing()).execute();
  }

  async channelOf(runId: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('routine_runs').select('channel').where('run_id', '=', runId).executeTakeFirst();
    return row?.channel;
  }
}
