import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '#store/db.js';
import { KyselyRoutineRuns, KyselySlotStore } from '#store/routines.js';
import { ENGINES } from './engines.js';
import { at, T0 } from './fixtures.js';

describe.each(ENGINES)('routine slots on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  const extra: Database[] = [];

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
  });
  afterEach(async () => {
    for (const d of extra.splice(0)) await d.close();
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('a slot claimed at once through eight connections goes to exactly one of them', async () => {
    const handles = [database, ...(await Promise.all(Array.from({ length: 7 }, () => fresh.open())))];
    extra.push(...handles.slice(1));
    const won = await Promise.all(handles.map((h, n) => new KyselySlotStore(h).claimSlot({ runbookId: 'bff/daily-health-check', at: at(60_000), state: 'running', owner: `r${n}` }, T0)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const slots = await new KyselySlotStore(database).slots('bff/daily-health-check');
    expect(slots).toEqual([{ runbookId: 'bff/daily-health-check', at: at(60_000), state: 'running', owner: `r${won.indexOf(true)}`, runId: null, incidentId: null }]);
  });

  it('finishes a slot, keeps other runbooks and times apart, and knows the newest one', async () => {
    const s = new KyselySlotStore(database);
    expect(await s.lastSlot('a')).toBeUndefined();
    expect(await s.claimSlot({ runbookId: 'a', at: at(1000), state: 'running', owner: 'r1' }, T0)).toBe(true);
    expect(await s.claimSlot({ runbookId: 'a', at: at(2000), state: 'missed', owner: 'r1' }, T0)).toBe(true);
    expect(await s.claimSlot({ runbookId: 'b', at: at(1000), state: 'running', owner: 'r2' }, T0)).toBe(true);
    await s.finishSlot('a', at(1000), { state: 'failed', runId: 7, incidentId: 3 });
    expect(await s.lastSlot('a')).toEqual(at(2000));
    expect((await s.slots('a')).map((x) => [x.state, x.runId, x.incidentId])).toEqual([['failed', 7, 3], ['missed', null, null]]);
    expect((await s.slots('b'))[0].state).toBe('running');
  });

  it('remembers the channel of a run outside an incident, once', async () => {
    const r = new KyselyRoutineRuns(database);
    await r.bind(5, 'C0OPS', T0);
    await r.bind(5, 'C0OTHER', T0);
    expect(await r.channelOf(5)).toBe('C0OPS');
    expect(await r.channelOf(6)).toBeUndefined();
  });
});
