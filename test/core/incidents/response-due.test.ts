import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { announceMissedResponses } from '#core/incidents/response-due.js';
import { IncidentService } from '#core/incidents/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { KyselyIncidentStore, KyselyOutbox, openDatabase, type Database } from '#store/index.js';
import { ManualClock } from '../../support/clock.js';
import { payloadText } from '#slack/lines/index.js';

let database: Database;
let store: KyselyIncidentStore;
let clock: ManualClock;
let svc: IncidentService;
const p1 = DEFAULT_SEVERITIES.find((s) => s.id === 'P1')!;
const due = () => announceMissedResponses({ store, clock, severities: DEFAULT_SEVERITIES });

beforeEach(async () => {
  database = await openDatabase('sqlite::memory:');
  clock = new ManualClock();
  store = new KyselyIncidentStore(database, clock);
  svc = new IncidentService({ store, clock, severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS', pagerEnabled: false });
});
afterEach(() => database.close());

describe('missed response targets', () => {
  it('are announced once, in the thread and on the card, only for incidents nobody acknowledged', async () => {
    const { incident: late } = await svc.open({ severity: 'P1', title: 'Checkout down', openedBy: 'U0ALICE', sourceChannel: 'C0GENERAL' });
    const { incident: acked } = await svc.open({ severity: 'P1', title: 'Search down', openedBy: 'U0BOB', sourceChannel: 'C0GENERAL' });
    await svc.acknowledge(acked.id, 'U0BOB');
    clock.advance(p1.responseMinutes * 60_000 - 1000);
    expect(await due()).toEqual([]);
    clock.advance(2000);
    expect(await due()).toEqual([late.id]);
    expect(await due()).toEqual([]);
    const line = (await store.events(late.id)).filter((e) => e.kind === 'reminder');
    expect(line).toHaveLength(1);
    expect(line[0].data).toEqual({ responseTarget: true });
    const effects = (await new KyselyOutbox(database).forIncident(late.id)).map((e) => e.payload);
    expect(effects.slice(-2).map((p) => (p.type === 'thread' ? { type: p.type, text: payloadText(p) } : p))).toEqual([
      { type: 'thread', text: expect.stringContaining(`Not acknowledged within ${p1.responseMinutes}m`) },
      { type: 'card' },
    ]);
    expect((await store.events(acked.id)).some((e) => e.kind === 'reminder')).toBe(false);
  });
});
