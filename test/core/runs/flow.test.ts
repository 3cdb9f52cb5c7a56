import { describe, expect, it } from 'vitest';
import { checkCondition, statesOf } from '#core/runs/conditions.js';
import { RunEngine } from '#core/runs/engine.js';
import type { RunEvent } from '#core/runs/events.js';
import { judge } from '#core/runs/expect.js';
import { MemoryRunStore } from '#core/runs/memory-store.js';
import type { Expectation, ResolvedStep, StepOutcome } from '#core/runs/step-runner.js';
import { deriveRunState } from '#core/runs/step-state.js';
import { prints, ScriptedRunner, type Script, ssh, step } from './support/scripted-runner.js';

const out = (output: string, exitCode = 0): StepOutcome => ({ exitCode, output, timedOut: false });
const verdict = (expect: Expectation, o: StepOutcome, kind: 'ssh' | 'http' = 'ssh') =>
  judge({ command: kind === 'ssh' ? ssh('x') : { kind: 'http', method: 'GET', url: 'http://h/' }, expect }, { ...o, httpStatus: kind === 'http' ? o.exitCode ?? undefined : undefined });

describe('expectations people can read', () => {
  it('output_empty says how much output there was', () => {
    expect(verdict({ outputEmpty: true }, out(''))).toEqual({ state: 'succeeded', reason: null });
    expect(verdict({ outputEmpty: true }, out('\n  \n'))).toEqual({ state: 'succeeded', reason: null });
    expect(verdict({ outputEmpty: true }, out('ERROR a\nERROR b\n\nERROR c\n'))).toEqual({ state: 'failed', reason: 'output is not empty: 3 lines' });
    expect(verdict({ outputEmpty: true }, out('one\n')).reason).toBe('output is not empty: 1 line');
    expect(verdict({ outputEmpty: false }, out('')).reason).toBe('output is empty');
    expect(verdict({ outputEmpty: false }, out('x')).state).toBe('succeeded');
  });

  it('output_not_matches fails when the pattern is found, per line', () => {
    expect(verdict({ outputNotMatches: '^ERROR' }, out('ok\nERROR disk\n'))).toEqual({ state: 'failed', reason: 'output matches /^ERROR/' });
    expect(verdict({ outputNotMatches: '^ERROR' }, out('ok\nan ERROR inline\n')).state).toBe('succeeded');
    expect(verdict({ outputMatches: 'PONG' }, out('nothing')).reason).toBe('output does not match /PONG/');
  });

  it('http status and body_contains apply to the response; output_* to its body', () => {
    expect(verdict({ httpStatus: [200, 204] }, out('', 204), 'http').state).toBe('succeeded');
    expect(verdict({ httpStatus: [200] }, out('', 503), 'http').reason).toBe('HTTP status 503, expected 200');
    expect(verdict({ bodyContains: 'ok' }, out('{"status":"down"}', 200), 'http').reason).toBe('body does not contain "ok"');
    expect(verdict({ outputNotContains: 'down' }, out('{"status":"down"}', 200), 'http').reason).toBe('output contains "down"');
  });
});

describe('when: conditions', () => {
  const states = statesOf([
    { stepId: 'restart', state: 'succeeded' }, { stepId: 'check', state: 'failed' }, { stepId: 'later', state: 'pending' }, { stepId: 'gone', state: 'skipped' },
  ]);
  it('hold, or say why not', () => {
    expect(checkCondition({ failed: ['check'] }, states)).toEqual({ holds: true, settled: true, reason: null });
    expect(checkCondition({ failed: ['restart'] }, states)).toEqual({ holds: false, settled: true, reason: 'restart succeeded' });
    expect(checkCondition({ succeeded: ['restart'], failed: ['check'] }, states).holds).toBe(true);
    expect(checkCondition({ succeeded: ['restart', 'check'] }, states)).toMatchObject({ holds: false, reason: 'check failed' });
    expect(checkCondition({ failed: ['later'] }, states)).toEqual({ holds: false, settled: false, reason: 'later has not finished' });
    expect(checkCondition({ succeeded: ['gone'] }, states).reason).toBe('gone was skipped');
  });
});

describe('run state', () => {
  it('is recovered when the failures came before a remediation that a later check verified', () => {
    const diag = { state: 'failed' as const, checks: true };
    const fix = { state: 'succeeded' as const, changes: true };
    const ok = { state: 'succeeded' as const, checks: true };
    expect(deriveRunState([diag, fix, ok])).toBe('recovered');
    expect(deriveRunState([diag, fix, ok, { state: 'pending', changes: true, ruledOut: true }])).toBe('recovered');
    expect(deriveRunState([diag, fix])).toBe('failed'); // not verified
    expect(deriveRunState([diag, fix, ok, { state: 'failed', checks: true }])).toBe('failed'); // failed after it
    expect(deriveRunState([diag, { state: 'failed', changes: true }, ok])).toBe('failed');
    expect(deriveRunState([ok, fix, ok])).toBe('succeeded');
    expect(deriveRunState([ok, { state: 'pending', ruledOut: true }])).toBe('succeeded');
    // A verification that failed and was then skipped verifies nothing.
    expect(deriveRunState([diag, fix, { state: 'skipped', checks: true, skippedAfterRunning: true }, ok])).toBe('failed');
  });
});

function setup(steps: ResolvedStep[], scripts: Record<string, Script> = {}) {
  const runner = new ScriptedRunner(prints(['ok\n']));
  for (const [k, v] of Object.entries(scripts)) runner.on(k, v);
  const store = new MemoryRunStore();
  const slept: number[] = [];
  const engine = new RunEngine({ store, runner, sleep: async (ms) => void slept.push(ms) });
  const events: RunEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const ran = () => runner.calls.map((c) => (c.kind === 'ssh' ? c.command.replace('echo ', '') : c.kind === 'docker' ? c.action : c.kind));
  return { store, engine, ran, slept, events, start: () => engine.start({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U1', steps }) };
}

/** Fails the first `n` times, then succeeds. */
const failsFirst = (n: number): Script => {
  let calls = 0;
  return async (_c, o) => {
    calls++;
    const text = calls <= n ? `refused ${calls}\n` : 'PONG\n';
    o.onOutput(text);
    return { exitCode: calls <= n ? 1 : 0, output: text, timedOut: false };
  };
};

describe('retry', () => {
  it('tries a failed check again, every pause, and streams each try', async () => {
    const { engine, start, slept, events, store } = setup([step('ping', { readOnly: true, retry: { attempts: 4, everyMs: 2000 } })], { 'echo ping': failsFirst(2) });
    const run = await start();
    const r = await engine.runStep(run.id, 'ping', { actor: 'U1' });
    expect(r).toMatchObject({ state: 'succeeded', tries: 3, attempt: 1 });
    expect(slept).toEqual([2000, 2000]);
    expect(r.output.text).toContain('refused 1\n');
    expect(r.output.text).toContain('— try 2 of 4 failed: exit code 1, expected 0; trying again in 2 s —');
    expect(r.output.text.endsWith('PONG\n')).toBe(true);
    expect(events.filter((e) => e.type === 'step.retrying').map((e) => (e as { try: number }).try)).toEqual([1, 2]);
    expect((await store.attempts(run.id, 'ping')).length).toBe(1);
  });

  it('counts as failed once the tries are used up, saying how many', async () => {
    const { engine, start, slept } = setup([step('ping', { retry: { attempts: 3, everyMs: 500 } })], { 'echo ping': failsFirst(5) });
    const r = await engine.runStep((await start()).id, 'ping', { actor: 'U1' });
    expect(r).toMatchObject({ state: 'failed', tries: 3, reason: 'after 3 tries: exit code 1, expected 0' });
    expect(slept).toEqual([500, 500]);
  });
});

describe('when: in runs', () => {
  const plan = () => [
    step('check', { readOnly: true, onFailure: { action: 'continue' } }),
    // A remediation acts on its target (a restart); a verification is a check that can fail.
    step('restart', { command: { kind: 'docker', action: 'restart', target: { container: 'cache' } }, danger: false, onFailure: { action: 'continue' } }),
    step('verify', { readOnly: true, expect: { outputContains: 'ok' }, onFailure: { action: 'continue' } }),
    step('option2', { command: ssh('echo option2'), when: { failed: ['verify'] } }),
  ];

  it('run all skips a step whose condition does not hold, and the run reads recovered', async () => {
    const { engine, start, ran, store } = setup(plan(), { 'echo check': prints(['down\n'], 1) });
    const run = await start();
    const r = await engine.runAll(run.id, { actor: 'U1' });
    expect(ran()).toEqual(['check', 'restart', 'verify']);
    expect(r.skipped).toEqual(['option2']);
    expect((await store.getRun(run.id))?.state).toBe('recovered');
  });

  it('runs the step when its condition holds', async () => {
    const { engine, start, ran, store } = setup(plan(), { 'echo verify': prints(['still down\n'], 1) });
    const run = await start();
    await engine.runAll(run.id, { actor: 'U1' });
    expect(ran()).toEqual(['check', 'restart', 'verify', 'option2']);
    expect((await store.getRun(run.id))?.state).toBe('failed');
  });

  it('refuses Run on a step whose condition does not hold, with the reason', async () => {
    const { engine, start } = setup(plan());
    const run = await start();
    await expect(engine.runStep(run.id, 'option2', { actor: 'U1' })).rejects.toThrow('Step option2 runs only if verify failed: verify has not finished.');
    for (const id of ['check', 'restart', 'verify']) await engine.runStep(run.id, id, { actor: 'U1' });
    await expect(engine.runStep(run.id, 'option2', { actor: 'U1' })).rejects.toThrow('Step option2 runs only if verify failed: verify succeeded.');
  });

  it('Run diagnostics skips a settled check that will not run and leaves an undecided one', async () => {
    const steps = [
      step('a', { readOnly: true }),
      step('only-if-a-failed', { readOnly: true, when: { failed: ['a'] } }),
      step('b', { readOnly: true }),
    ];
    const { engine, start, ran, store } = setup(steps);
    const run = await start();
    const r = await engine.runDiagnostics(run.id, { actor: 'U1' });
    expect(ran()).toEqual(['a', 'b']);
    expect(r.passedOver).toEqual(['only-if-a-failed']);
    expect((await store.steps(run.id)).map((s) => s.state)).toEqual(['succeeded', 'skipped', 'succeeded']);
  });
});
