import { describe, expect, it } from 'vitest';
import { stepFingerprint } from '#core/runs/confirmation.js';
import { RunEngine } from '#core/runs/engine.js';
import { MemoryRunStore } from '#core/runs/memory-store.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { prints, ScriptedRunner, ssh, step } from './support/scripted-runner.js';

function setup(steps: ResolvedStep[], failing: string[] = []) {
  const runner = new ScriptedRunner(prints(['ok\n']));
  for (const f of failing) runner.on(`echo ${f}`, prints(['bad\n'], 1));
  const store = new MemoryRunStore();
  const engine = new RunEngine({ store, runner, escalator: { escalate: async () => ({ message: 'paged' }) } });
  const ran = () => runner.calls.map((c) => (c.kind === 'ssh' ? c.command.replace('echo ', '') : c.kind));
  return { store, engine, runner, ran, start: () => engine.start({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U1', steps }) };
}

describe('run all', () => {
  it('stops at a failure by default', async () => {
    const { engine, ran, start, store } = setup([step('a'), step('b'), step('c')], ['b']);
    const run = await start();
    const r = await engine.runAll(run.id, { actor: 'U1' });
    expect(ran()).toEqual(['a', 'b']);
    expect(r.ok).toBe(false);
    expect(r.stopped?.stepId).toBe('b');
    expect((await store.getStep(run.id, 'c'))?.state).toBe('pending');
  });

  it('continues past a failure when told to', async () => {
    const { engine, ran, start } = setup([step('a', { onFailure: { action: 'continue' } }), step('b')], ['a']);
    const r = await engine.runAll((await start()).id, { actor: 'U1' });
    expect(ran()).toEqual(['a', 'b']);
    expect(r).toMatchObject({ ok: false, stopped: null });
  });

  it('goes to a named step on failure, skipping the ones in between', async () => {
    const { engine, ran, start, store } = setup([step('a', { onFailure: { action: 'goto', step: 'd' } }), step('b'), step('c'), step('d')], ['a']);
    const run = await start();
    const r = await engine.runAll(run.id, { actor: 'U1' });
    expect(ran()).toEqual(['a', 'd']);
    expect(r.skipped).toEqual(['b', 'c']);
    expect((await store.steps(run.id)).map((s) => s.state)).toEqual(['failed', 'skipped', 'skipped', 'succeeded']);
  });

  it('a goto back to an earlier step does not loop', async () => {
    const { engine, ran, start } = setup([step('a'), step('b', { onFailure: { action: 'goto', step: 'a' } }), step('c')], ['b']);
    await engine.runAll((await start()).id, { actor: 'U1' });
    expect(ran()).toEqual(['a', 'b', 'c']);
  });

  it('stops before a dangerous step nobody confirmed; runs it once confirmed', async () => {
    const danger = step('x', { command: ssh('echo x'), danger: true });
    const { engine, ran, start } = setup([step('a'), danger, step('c')]);
    const run = await start();
    const r = await engine.runAll(run.id, { actor: 'U1' });
    expect(r.stopped).toEqual({ stepId: 'x', reason: 'step x is dangerous and was not confirmed' });
    expect(ran()).toEqual(['a']);
    const again = await engine.runAll(run.id, {
      actor: 'U1',
      decide: async (s) => ({ action: 'run', confirmation: { confirmedBy: 'U1', refs: [], fingerprint: stepFingerprint(run.id, s.step) } }),
    });
    expect(again.ok).toBe(true);
    expect(ran()).toEqual(['a', 'x', 'c']);
  });
});

describe('run all: stopping', () => {
  it('starts no further step once its signal is aborted', async () => {
    const { engine, ran, start } = setup([step('a'), step('b'), step('c')]);
    const stop = new AbortController();
    const run = await start();
    const r = await engine.runAll(run.id, { actor: 'U1', signal: stop.signal, onStep: (s) => s.stepId === 'b' && stop.abort() });
    // b was already starting when the signal came; c never starts.
    expect(ran()).toEqual(['a', 'b']);
    expect(r.stopped).toEqual({ stepId: 'c', reason: 'stopped before this step' });
    expect(r.ok).toBe(false);
  });
});

describe('run diagnostics', () => {
  const ro = (id: string, over: Partial<ResolvedStep> = {}) => step(id, { readOnly: true, ...over });

  it('runs the pending read-only checks in order, past failures, and stops at the first step that changes something', async () => {
    const { engine, ran, start, store } = setup([
      ro('a'),
      ro('b'),
      step('undeclared'),
      ro('after'),
    ], ['b']);
    const run = await start();
    await engine.runStep(run.id, 'a', { actor: 'U1' });
    const r = await engine.runDiagnostics(run.id, { actor: 'U2' });
    expect(ran()).toEqual(['a', 'b']);
    expect(r.results.map((x) => [x.stepId, x.state])).toEqual([['b', 'failed']]);
    expect((await store.steps(run.id)).filter((s) => s.state === 'pending').map((s) => s.stepId)).toEqual(['undeclared', 'after']);
  });

  it('never runs a restart, a dangerous step, a POST, a page or a manual step, nor the checks and waits after them', async () => {
    for (const barrier of [
      step('x', { readOnly: true, command: { kind: 'docker', action: 'restart', target: { container: 'redis' } } }),
      step('x', { readOnly: true, danger: true }),
      step('x', { command: { kind: 'http', method: 'POST', url: 'http://h/flush' } }),
      step('x', { command: { kind: 'escalate', to: 'sre', reason: 'x' } }),
      step('x', { command: { kind: 'manual', instruction: 'restart it by hand' }, danger: true }),
    ]) {
      const { engine, ran, start } = setup([ro('a'), barrier, step('settle', { command: { kind: 'wait', seconds: 0 } }), ro('verify')]);
      const r = await engine.runDiagnostics((await start()).id, { actor: 'U2' });
      expect(ran(), JSON.stringify(barrier.command)).toEqual(['a']);
      expect(r.results.map((x) => x.stepId)).toEqual(['a']);
    }
  });

  it('passes by a manual step that is not dangerous, and runs the checks after a remediation once it ran or was skipped', async () => {
    const { engine, ran, start } = setup([
      ro('a'),
      step('look', { command: { kind: 'manual', instruction: 'look at the dashboard' } }),
      ro('b'),
      step('fix', { danger: true }),
      step('settle', { command: { kind: 'wait', seconds: 0 } }),
      ro('verify'),
    ]);
    const run = await start();
    await engine.runDiagnostics(run.id, { actor: 'U2' });
    expect(ran()).toEqual(['a', 'b']);
    await engine.skip(run.id, 'fix', 'U1');
    const r = await engine.runDiagnostics(run.id, { actor: 'U2' });
    expect(ran()).toEqual(['a', 'b', 'verify']);
    expect(r.results.map((x) => x.stepId)).toEqual(['settle', 'verify']);
  });
});
