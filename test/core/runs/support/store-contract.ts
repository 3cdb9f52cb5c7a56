/** The behaviour every RunStore must have; run against the in-memory store and SQL engines. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptStart, RunStore } from '#core/runs/ports.js';
import { step } from './scripted-runner.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const start = (over: Partial<AttemptStart> = {}): AttemptStart => ({
  actor: 'U1', startedAt: T0, target: 'ssh:web1', command: 'ssh web1 echo a', approvalRefs: [], lockOwner: null, instance: 'me', ...over,
});

export function describeRunStore(name: string, open: () => Promise<{ store: RunStore; reopen?: () => Promise<RunStore>; close(): Promise<void> }>): void {
  describe(`RunStore contract: ${name}`, () => {
    let store: RunStore;
    let env: Awaited<ReturnType<typeof open>>;
    beforeEach(async () => {
      env = await open();
      store = env.store;
    });
    afterEach(() => env.close());

    const newRun = () => store.createRun({
      runbookId: 'redis-down', incidentId: 7, params: { ns: 'prod', n: 3 }, startedBy: 'U1',
      steps: [step('a', { expect: { outputContains: 'PONG' } }), step('b', { danger: true, onFailure: { action: 'goto', step: 'a' } })],
    }, T0);

    it('stores a run with its resolved steps in order, all pending', async () => {
      const run = await newRun();
      expect(await store.getRun(run.id)).toEqual({ id: run.id, runbookId: 'redis-down', incidentId: 7, params: { ns: 'prod', n: 3 }, startedBy: 'U1', createdAt: T0, state: 'pending' });
      const steps = await store.steps(run.id);
      expect(steps.map((s) => [s.stepId, s.position, s.state, s.attempts])).toEqual([['a', 0, 'pending', 0], ['b', 1, 'pending', 0]]);
      expect(steps[1].step).toEqual(step('b', { danger: true, onFailure: { action: 'goto', step: 'a' } }));
      await store.setRunState(run.id, 'running');
      expect((await store.getRun(run.id))?.state).toBe('running');
      const other = await store.createRun({ runbookId: 'x', incidentId: null, params: {}, startedBy: 'U2', steps: [step('z')] }, T0);
      expect((await store.listRuns({ incidentId: 7 })).map((r) => r.id)).toEqual([run.id]);
      expect((await store.listRuns()).map((r) => r.id)).toEqual([other.id, run.id]);
      expect(await store.getRun(9999)).toBeUndefined();
    });

    it('refuses duplicate step ids', async () => {
      await expect(store.createRun({ runbookId: 'x', incidentId: null, params: {}, startedBy: 'U1', steps: [step('a'), step('a')] }, T0)).rejects.toThrow(/unique/);
    });

    it('claims a step once; a finished attempt records its result', async () => {
      const run = await newRun();
      const a = await store.claimStep(run.id, 'a', 'pending', start({ approvalRefs: ['confirmed:U1'] }));
      expect(a).toMatchObject({ number: 1, state: 'running', actor: 'U1', approvalRefs: ['confirmed:U1'] });
      expect(await store.claimStep(run.id, 'a', 'pending', start({ actor: 'U2' }))).toBeNull();
      expect(await store.finishAttempt(run.id, 'a', 1, { state: 'failed', finishedAt: at(1500), exitCode: 2, durationMs: 1500, output: 'ERR\n', outputDroppedBytes: 10, error: 'exit code 2, expected 0' })).toBe(true);
      expect(await store.finishAttempt(run.id, 'a', 1, { state: 'succeeded', finishedAt: at(1600), exitCode: 0, durationMs: 1, output: '', outputDroppedBytes: 0, error: null })).toBe(false);
      const again = await store.claimStep(run.id, 'a', 'failed', start({ actor: 'U2', startedAt: at(2000) }));
      expect(again?.number).toBe(2);
      const attempts = await store.attempts(run.id, 'a');
      expect(attempts[0]).toEqual({
        runId: run.id, stepId: 'a', number: 1, actor: 'U1', startedAt: T0, finishedAt: at(1500), target: 'ssh:web1', command: 'ssh web1 echo a',
        state: 'failed', exitCode: 2, durationMs: 1500, output: 'ERR\n', outputDroppedBytes: 10, error: 'exit code 2, expected 0', approvalRefs: ['confirmed:U1'], lockOwner: null, instance: 'me',
      });
      expect(attempts[1]).toMatchObject({ number: 2, actor: 'U2', state: 'running', finishedAt: null });
      expect((await store.getStep(run.id, 'a'))).toMatchObject({ state: 'running', attempts: 2 });
    });

    it('of many simultaneous claims exactly one wins', async () => {
      const run = await newRun();
      const handles = [store, ...(env.reopen ? [await env.reopen(), await env.reopen()] : [])];
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => handles[i % handles.length].claimStep(run.id, 'a', 'pending', start({ actor: `U${i}` }))));
      expect(got.filter((g) => g !== null)).toHaveLength(1);
      expect(await store.attempts(run.id)).toHaveLength(1);
    });

    it('moves a step only from the expected state', async () => {
      const run = await newRun();
      expect(await store.moveStep(run.id, 'b', 'failed', 'skipped', T0)).toBe(false);
      expect(await store.moveStep(run.id, 'b', 'pending', 'skipped', at(5))).toBe(true);
      expect(await store.getStep(run.id, 'b')).toMatchObject({ state: 'skipped', updatedAt: at(5) });
    });

    it('keeps who skipped a step and why while it stays skipped', async () => {
      const run = await newRun();
      expect(await store.moveStep(run.id, 'b', 'pending', 'skipped', at(5), { by: 'U1', reason: 'done by hand' })).toBe(true);
      expect((await store.getStep(run.id, 'b'))?.skipped).toEqual({ by: 'U1', reason: 'done by hand' });
      expect((await store.steps(run.id)).find((s) => s.stepId === 'b')?.skipped).toEqual({ by: 'U1', reason: 'done by hand' });
      expect(await store.moveStep(run.id, 'b', 'skipped', 'pending', at(6))).toBe(true);
      expect((await store.getStep(run.id, 'b'))?.skipped).toBeUndefined();
    });

    it('a target lock has one holder until it is released or expires', async () => {
      expect(await store.acquireLock('docker:redis', 'o1', at(10_000), T0)).toBe(true);
      expect(await store.acquireLock('docker:redis', 'o2', at(20_000), at(5_000))).toBe(false);
      expect(await store.acquireLock('docker:db', 'o2', at(20_000), at(5_000))).toBe(true);
      expect(await store.getLock('docker:redis')).toEqual({ target: 'docker:redis', owner: 'o1', expiresAt: at(10_000) });
      await store.releaseLock('docker:redis', 'o2');
      expect((await store.getLock('docker:redis'))?.owner).toBe('o1');
      expect(await store.acquireLock('docker:redis', 'o2', at(30_000), at(10_000))).toBe(true);
      await store.releaseLock('docker:redis', 'o2');
      expect(await store.getLock('docker:redis')).toBeUndefined();
    });

    it('of many simultaneous lock requests exactly one wins', async () => {
      const handles = [store, ...(env.reopen ? [await env.reopen(), await env.reopen()] : [])];
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => handles[i % handles.length].acquireLock('ssh:bastion', `o${i}`, at(60_000), T0)));
      expect(got.filter(Boolean)).toHaveLength(1);
    });

    it('interrupts running steps and their attempts, and frees their locks', async () => {
      const run = await newRun();
      await store.acquireLock('docker:redis', 'lock-a', at(60_000), T0);
      await store.acquireLock('docker:other', 'someone-else', at(60_000), T0);
      await store.claimStep(run.id, 'a', 'pending', start({ lockOwner: 'lock-a', target: 'docker:redis' }));
      const changed = await store.interruptRunning(at(3000), 'interrupted: stopped', 'me');
      expect(changed.map((s) => [s.runId, s.stepId, s.state])).toEqual([[run.id, 'a', 'interrupted']]);
      expect((await store.attempts(run.id, 'a'))[0]).toMatchObject({ state: 'interrupted', finishedAt: at(3000), durationMs: 3000, error: 'interrupted: stopped' });
      expect(await store.getLock('docker:redis')).toBeUndefined();
      expect(await store.getLock('docker:other')).toBeDefined();
      expect((await store.getStep(run.id, 'b'))?.state).toBe('pending');
      expect(await store.interruptRunning(at(4000), 'again', 'me')).toEqual([]);
    });

    it('leaves steps of live instances alone, and takes those of dead or unknown ones', async () => {
      const run = await store.createRun({ runbookId: 'x', incidentId: null, params: {}, startedBy: 'U1', steps: ['a', 'b', 'c', 'd'].map((id) => step(id)) }, T0);
      await store.heartbeat('live', at(60_000));
      await store.heartbeat('dead', at(1_000));
      await store.claimStep(run.id, 'a', 'pending', start({ instance: 'live' }));
      await store.claimStep(run.id, 'b', 'pending', start({ instance: 'dead' }));
      await store.claimStep(run.id, 'c', 'pending', start({ instance: 'never-heard-of' }));
      await store.claimStep(run.id, 'd', 'pending', start({ instance: 'me' }));
      const changed = await store.interruptRunning(at(5_000), 'interrupted', 'me');
      expect(changed.map((s) => s.stepId).sort()).toEqual(['b', 'c', 'd']);
      expect((await store.getStep(run.id, 'a'))?.state).toBe('running');
      // Once "live" stops beating, it is taken too.
      expect((await store.interruptRunning(at(60_000), 'interrupted', 'me')).map((s) => s.stepId)).toEqual(['a']);
    });
  });
}
