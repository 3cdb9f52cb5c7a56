/**
 * The incident response histograms with two replicas on one database: each change is observed
 * once, by the replica whose change was stored, under the incident's system and severity.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentService } from '#core/incidents/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { Metrics } from '#src/metrics.js';
import { KyselyIncidentStore, KyselyOutbox, openDatabase, type Database } from '#store/index.js';
import { ManualClock } from '../support/clock.js';

const clock = new ManualClock();
const MIN = 60_000;
let dir: string;
const handles: Database[] = [];

async function replica() {
  const database = await openDatabase(`sqlite:${join(dir, 'opsroom.db')}`);
  handles.push(database);
  const store = new KyselyIncidentStore(database, clock);
  const metrics = new Metrics({ database, outbox: new KyselyOutbox(database) }, { defaultMetrics: false });
  const incidents = new IncidentService({
    store, clock, severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS', pagerEnabled: false,
    changed: (before, after) => metrics.observeIncident(before, after),
  });
  const sample = async (name: string, labels: string) => {
    const line = (await metrics.render()).body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  return { store, incidents, sample };
}

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'opsroom-histograms-')); });
afterAll(async () => {
  for (const d of handles) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('time to acknowledge, mitigate and resolve histograms', () => {
  it('observed once, by the replica that stored the change, by system and severity', async () => {
    const a = await replica();
    const b = await replica();
    const { incident } = await a.incidents.open({ severity: 'P2', title: 'Checkout API down', openedBy: 'U1', sourceChannel: 'C0GEN' });
    await a.store.change(incident.id, incident.version, { system: 'blatam' }, [], []);
    clock.advance(4 * MIN);
    // Both replicas get an Acknowledge click at once: one is stored, the other is refused.
    const acks = await Promise.allSettled([a.incidents.acknowledge(incident.id, 'U2'), b.incidents.acknowledge(incident.id, 'U3')]);
    expect(acks.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = acks[0].status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    const labels = 'le="300",system="blatam",severity="P2"';
    expect(await winner.sample('opsroom_incident_time_to_acknowledge_seconds_bucket', labels)).toBe(1);
    expect(await winner.sample('opsroom_incident_time_to_acknowledge_seconds_bucket', 'le="60",system="blatam",severity="P2"')).toBe(0);
    expect(await winner.sample('opsroom_incident_time_to_acknowledge_seconds_sum', 'system="blatam",severity="P2"')).toBe(240);
    expect(await loser.sample('opsroom_incident_time_to_acknowledge_seconds_count', 'system="blatam",severity="P2"')).toBeUndefined();

    clock.advance(26 * MIN);
    await loser.incidents.postUpdate(incident.id, 'U2', 'Fixed, watching');
    await loser.incidents.resolve(incident.id, 'U2', null);
    expect(await loser.sample('opsroom_incident_time_to_resolve_seconds_sum', 'system="blatam",severity="P2"')).toBe(1800);
    expect(await winner.sample('opsroom_incident_time_to_resolve_seconds_count', 'system="blatam",severity="P2"')).toBeUndefined();
    // The update and the resolve observed no second acknowledgement anywhere.
    expect(await winner.sample('opsroom_incident_time_to_acknowledge_seconds_count', 'system="blatam",severity="P2"')).toBe(1);
    expect(await loser.sample('opsroom_incident_time_to_acknowledge_seconds_count', 'system="blatam",severity="P2"')).toBeUndefined();

    // An incident with no system is counted under system="none".
    const other = (await b.incidents.open({ severity: 'P1', title: 'Dashboard caído', openedBy: 'U1', sourceChannel: 'C0GEN' })).incident;
    clock.advance(MIN);
    await b.incidents.acknowledge(other.id, 'U2');
    expect(await b.sample('opsroom_incident_time_to_acknowledge_seconds_count', 'system="none",severity="P1"')).toBe(1);
  });
});
