/**
 * Verified recovery with two replicas on one database (SQLite and PostgreSQL): each replica has its
 * own store handles, service and leased loop; a round runs once, the recovery is recorded once and
 * observed once, and the watch carries on when the lease holder goes away.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '#core/incidents/incident.js';
import { RecoveryService } from '#core/recovery/service.js';
import { LeasedLoop } from '#ops/leased-loop.js';
import type { Database } from '#store/db.js';
import { KyselyIncidentStore, KyselyLeases } from '#store/index.js';
import { KyselyRecoveryStore } from '#store/recovery.js';
import { KyselyRunStore } from '#store/runs.js';
import { step } from '../core/runs/support/scripted-runner.js';
import { ManualClock } from '../support/clock.js';
import { ENGINES } from './engines.js';
import { newIncident } from './fixtures.js';

const MIN = 60_000;

describe.each(ENGINES)('verified recovery across replicas on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  const handles: Database[] = [];
  const clock = new ManualClock();

  beforeEach(async () => { fresh = await engine.fresh(); });
  afterEach(async () => {
    for (const d of handles.splice(0)) await d.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  /** A replica: its own connection, stores, service (checks counted) and leased loop. */
  async function replica(name: string, calls: string[], observed: string[], verdict = () => true) {
    const database = await fresh.open();
    handles.push(database);
    const incidents = new KyselyIncidentStore(database, clock);
    const runs = new KyselyRunStore(database);
    const service = new RecoveryService({
      watches: new KyselyRecoveryStore(database), runs, incidents, clock, settings: { windowMinutes: 10, everyMinutes: 1 },
      check: async (_runId, s) => { calls.push(`${name}:${s.stepId}`); return verdict() ? { ok: true, reason: null } : { ok: false, reason: 'HTTP status 503' }; },
      changed: (b: Incident, a: Incident) => { if (!b.mitigatedAt && a.mitigatedAt) observed.push(name); },
    });
    const loop = new LeasedLoop({ name: 'recovery', owner: name, leases: new KyselyLeases(database), clock, everyMs: 15_000, ttlMs: 2 * MIN, run: () => service.tick() });
    return { database, incidents, runs, service, loop };
  }

  /** An open incident with a run whose restart succeeded; followed by a wait and a health check. */
  async function remediated(r: Awaited<ReturnType<typeof replica>>) {
    const incident = await r.incidents.create(newIncident({ createdAt: clock.now() }), [], []);
    const run = await r.runs.createRun({
      runbookId: 'web-down', incidentId: incident.id, params: {}, startedBy: 'U1',
      steps: [
        step('restart', { command: { kind: 'docker', target: { container: 'web' }, action: 'restart' }, danger: true }),
        step('settle', { command: { kind: 'wait', seconds: 1 } }),
        step('health', { command: { kind: 'http', method: 'GET', url: 'http://web/health' } }),
      ],
    }, clock.now());
    await r.runs.claimStep(run.id, 'restart', 'pending', { actor: 'U1', startedAt: clock.now(), target: 'docker:web', command: 'docker restart web', approvalRefs: [], lockOwner: 'run:1/restart/x', instance: 'a' });
    await r.runs.finishAttempt(run.id, 'restart', 1, { state: 'succeeded', finishedAt: clock.now(), exitCode: 0, durationMs: 900, output: '', outputDroppedBytes: 0, error: null });
    return { incident, run };
  }

  it('each round runs once whoever holds the lease; recovered once; the watch survives the holder leaving', async () => {
    const calls: string[] = [];
    const observed: string[] = [];
    const a = await replica('a', calls, observed);
    const b = await replica('b', calls, observed);
    const { incident, run } = await remediated(a);
    const watch = await a.service.remediated(run.id, 'restart');
    expect(watch).toMatchObject({ checks: ['health'], state: 'watching' });
    const loops = { a: a.loop, b: b.loop };
    let holder: 'a' | 'b' | undefined;
    for (let i = 1; i <= 10; i++) {
      clock.advance(MIN);
      if (i === 5) await loops[holder!].stop(); // the holder shuts down mid-window and gives the lease up
      const live = i < 5 ? [a.loop, b.loop] : [loops[holder === 'a' ? 'b' : 'a']];
      const ran = await Promise.all(live.map((l) => l.tick()));
      expect(ran.filter(Boolean)).toHaveLength(1);
      if (i === 1) holder = calls[0].split(':')[0] as 'a' | 'b';
    }
    const other = holder === 'a' ? 'b' : 'a';
    expect(calls).toEqual([...Array(4).fill(`${holder}:health`), ...Array(6).fill(`${other}:health`)]);
    const after = (await b.incidents.get(incident.id))!;
    expect(after.mitigatedAt?.getTime()).toBe(watch!.startedAt.getTime() + MIN);
    expect((await b.incidents.events(incident.id)).filter((e) => e.kind === 'mitigated')).toHaveLength(1);
    expect(observed).toEqual([other]);
  });

  it('a remediation no replica saw finish (opsroom run --incident, a crash) is found by the next round, once', async () => {
    const calls: string[] = [];
    const a = await replica('a', calls, []);
    const b = await replica('b', calls, []);
    const { incident } = await remediated(a);
    const finished = clock.now();
    clock.advance(20_000);
    await Promise.all([a.service.tick(), b.service.tick()]);
    const watches = await new KyselyRecoveryStore(a.database).forIncident(incident.id);
    expect(watches).toHaveLength(1);
    expect(watches[0]).toMatchObject({ state: 'watching', checks: ['health'], startedAt: finished });
    expect(watches[0].endsAt.getTime()).toBe(finished.getTime() + 10 * MIN);
    // Later rounds do not start it again.
    clock.advance(MIN);
    await Promise.all([a.service.tick(), b.service.tick()]);
    expect(await new KyselyRecoveryStore(a.database).forIncident(incident.id)).toHaveLength(1);
  });

  it('two replicas running the same due round at once record it once', async () => {
    const calls: string[] = [];
    const observed: string[] = [];
    const a = await replica('a', calls, observed);
    const b = await replica('b', calls, observed);
    const { incident, run } = await remediated(a);
    await a.service.remediated(run.id, 'restart');
    for (let i = 1; i <= 10; i++) {
      clock.advance(MIN);
      await Promise.all([a.service.tick(), b.service.tick()]);
    }
    expect((await a.incidents.events(incident.id)).filter((e) => e.kind === 'mitigated')).toHaveLength(1);
    expect(observed).toHaveLength(1);
    const [w] = await new KyselyRecoveryStore(a.database).forIncident(incident.id);
    expect(w).toMatchObject({ state: 'recovered', rounds: 10 });
  });

  it('a newer remediation replaces the watch; a failing check regresses it once; a resolved incident stops it', async () => {
    const calls: string[] = [];
    let healthy = true;
    const a = await replica('a', calls, [], () => healthy);
    const { incident, run } = await remediated(a);
    const first = await a.service.remediated(run.id, 'restart', { attempt: 1 });
    expect(await a.service.remediated(run.id, 'restart', { attempt: 1 })).toBeUndefined(); // once per attempt
    const second = await a.service.remediated(run.id, 'restart', { attempt: 2 });
    const store = new KyselyRecoveryStore(a.database);
    expect((await store.get(first!.id))!.state).toBe('cancelled');
    clock.advance(MIN);
    await a.service.tick();
    healthy = false;
    clock.advance(MIN);
    expect(await a.service.tick()).toMatchObject([{ id: second!.id, state: 'regressed', failure: 'health: HTTP status 503' }]);
    const regressed = (await a.incidents.events(incident.id)).filter((e) => e.kind === 'regressed');
    expect(regressed).toHaveLength(1);
    expect(regressed[0].data).toMatchObject({ check: 'health', rounds: 2 });
    clock.advance(MIN);
    expect(await a.service.tick()).toEqual([]);

    healthy = true;
    const third = await a.service.remediated(run.id, 'restart', { attempt: 3 });
    const i = (await a.incidents.get(incident.id))!;
    await a.incidents.change(i.id, i.version, { status: 'resolved', resolvedAt: clock.now() }, [], []);
    clock.advance(MIN);
    expect(await a.service.tick()).toEqual([]);
    expect((await store.get(third!.id))!.state).toBe('cancelled');
    expect(await a.service.remediated(run.id, 'restart', { attempt: 4 })).toBeUndefined(); // resolved: nothing to verify
  });
});
