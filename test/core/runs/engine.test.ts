import { describe, expect, it } from 'vitest';
import { isCoded } from '#core/errors.js';
import { stepFingerprint } from '#core/runs/confirmation.js';
import { RunEngine, type RunEngineDeps } from '#core/runs/engine.js';
import type { RunEvent } from '#core/runs/events.js';
import { MemoryRunStore } from '#core/runs/memory-store.js';
import type { EscalationContext } from '#core/runs/ports.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { gate, hangsUntilAborted, neverReturns, prints, ScriptedRunner, ssh, step } from './support/scripted-runner.js';

function setup(runner = new ScriptedRunner(), over: Partial<RunEngineDeps> = {}) {
  const store = new MemoryRunStore();
  const engine = new RunEngine({ store, runner, escalator: { escalate: async () => ({ message: 'paged' }) }, ...over });
  const start = (steps: ResolvedStep[]) => engine.start({ runbookId: 'rb', incidentId: 7, params: { ns: 'prod' }, startedBy: 'U1', steps });
  return { store, engine, runner, start };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('RunEngine: one step', () => {
  it('stores the run with every step pending', async () => {
    const { store, start } = setup();
    const run = await start([step('a'), step('b')]);
    expect(run).toMatchObject({ runbookId: 'rb', incidentId: 7, startedBy: 'U1', state: 'pending' });
    expect((await store.steps(run.id)).map((s) => [s.stepId, s.state])).toEqual([['a', 'pending'], ['b', 'pending']]);
  });

  it('runs a step and records the attempt: who, target, exact command, exit code, output', async () => {
    const runner = new ScriptedRunner().on('redis-cli ping', prints(['PO', 'NG\n']));
    const { store, engine, start } = setup(runner);
    const run = await start([step('ping', { command: ssh('redis-cli ping', 'cache1'), expect: { outputContains: 'PONG' } })]);
    const r = await engine.runStep(run.id, 'ping', { actor: 'U2' });
    expect(r).toMatchObject({ state: 'succeeded', exitCode: 0, attempt: 1, target: 'ssh:cache1', command: 'ssh cache1 redis-cli ping' });
    expect(r.output.text).toBe('PONG\n');
    const [a] = await store.attempts(run.id, 'ping');
    expect(a).toMatchObject({ actor: 'U2', number: 1, state: 'succeeded', target: 'ssh:cache1', command: 'ssh cache1 redis-cli ping', exitCode: 0, output: 'PONG\n', error: null });
    expect((await store.getStep(run.id, 'ping'))?.state).toBe('succeeded');
    expect((await store.getRun(run.id))?.state).toBe('succeeded');
  });

  it.each([
    ['exit code', prints(['boom\n'], 2), {}, 'exit code 2, expected 0'],
    ['expected exit code', prints([''], 0), { exitCode: 3 }, 'exit code 0, expected 3'],
    ['contains', prints(['ERR\n']), { outputContains: 'PONG' }, 'output does not contain "PONG"'],
    ['not contains', prints(['OOM killer\n']), { outputNotContains: 'OOM' }, 'output contains "OOM"'],
    ['matches', prints(['used 97%\n']), { outputMatches: '^used [0-7]?\\d%$' }, 'output does not match /^used [0-7]?\\d%$/'],
  ])('expectation decides failure: %s', async (_n, script, expectation, reason) => {
    const { engine, start } = setup(new ScriptedRunner(script));
    const run = await start([step('s', { expect: expectation })]);
    const r = await engine.runStep(run.id, 's', { actor: 'U1' });
    expect(r.state).toBe('failed');
    expect(r.reason).toBe(reason);
  });

  it('HTTP steps are judged by status and body', async () => {
    const runner = new ScriptedRunner(async (c) => ({ exitCode: 503, httpStatus: c.kind === 'http' && c.url.endsWith('/a') ? 200 : 503, output: '{"status":"ok"}', timedOut: false }));
    const { engine, start } = setup(runner);
    const http = (url: string) => ({ kind: 'http' as const, method: 'GET', url });
    const run = await start([
      step('a', { command: http('http://svc/a'), expect: { httpStatus: [200], bodyContains: '"ok"' } }),
      step('b', { command: http('http://svc/b'), expect: {} }),
      step('c', { command: http('http://svc/c'), expect: { httpStatus: [503] } }),
    ]);
    expect((await engine.runStep(run.id, 'a', { actor: 'U1' })).state).toBe('succeeded');
    expect((await engine.runStep(run.id, 'b', { actor: 'U1' })).reason).toBe('HTTP status 503');
    expect((await engine.runStep(run.id, 'c', { actor: 'U1' })).state).toBe('succeeded');
  });

  it('streams redacted output to subscribers and stores only redacted output', async () => {
    const runner = new ScriptedRunner(prints(['token=abc', 'def123 and hunt', 'er2-secret\n', 'done\n']));
    const { store, engine, start } = setup(runner, { secrets: ['hunter2-secret'] });
    const run = await start([step('s')]);
    const events: RunEvent[] = [];
    const off = engine.subscribe((e) => events.push(e), { runId: run.id });
    await engine.runStep(run.id, 's', { actor: 'U1' });
    off();
    const chunks = events.flatMap((e) => (e.type === 'step.output' ? [e.chunk] : []));
    expect(chunks.join('')).toBe('token=[REDACTED] and [REDACTED]\ndone\n');
    expect(events.map((e) => e.type)).toEqual(['step.started', 'run.state', 'step.output', 'step.output', 'step.finished', 'run.state']);
    const [a] = await store.attempts(run.id);
    expect(a.output).not.toMatch(/abcdef123|hunter2/);
  });

  it('a step marked redact hides every env-style value', async () => {
    const { engine, start } = setup(new ScriptedRunner(prints(['APP_ENV=prod\nCACHE_SIZE=16\n'])));
    const run = await start([step('env', { redact: true })]);
    expect((await engine.runStep(run.id, 'env', { actor: 'U1' })).output.text).toBe('APP_ENV=[REDACTED]\nCACHE_SIZE=[REDACTED]\n');
  });
});

describe('RunEngine: timeouts and hung steps', () => {
  it('a deadline aborts the runner and the step times out', async () => {
    let signal: AbortSignal | undefined;
    const runner = new ScriptedRunner((c, o) => {
      signal = o.signal;
      return hangsUntilAborted()(c, o);
    });
    const { store, engine, start } = setup(runner);
    const run = await start([step('slow', { timeoutMs: 30 })]);
    const r = await engine.runStep(run.id, 'slow', { actor: 'U1' });
    expect(signal?.aborted).toBe(true);
    expect(r.state).toBe('timed_out');
    expect(r.output.text).toBe('started\n');
    expect((await store.getStep(run.id, 'slow'))?.state).toBe('timed_out');
  });

  it('a runner that ignores the abort is left behind after the grace period', async () => {
    const { engine, start } = setup(new ScriptedRunner(neverReturns), { abortGraceMs: 20 });
    const run = await start([step('stuck', { timeoutMs: 20 })]);
    const r = await engine.runStep(run.id, 'stuck', { actor: 'U1' });
    expect(r.state).toBe('timed_out');
  });

  it('a hung step does not hold up another run', async () => {
    const g = gate();
    const runner = new ScriptedRunner().on('hang', (c, o) => (o.onOutput('working, password=x1y2z3\nhalf a li'), g.script(c, o)));
    const { engine, start } = setup(runner);
    const a = await start([step('h', { command: ssh('hang'), timeoutMs: 60_000 })]);
    const b = await start([step('quick')]);
    const hung = await engine.startStep(a.id, 'h', { actor: 'U1' });
    await g.started;
    // A late watcher gets what was shown so far: complete lines, redacted.
    expect(engine.liveOutput(a.id, 'h')?.text).toBe('working, password=[REDACTED]\n');
    expect((await engine.runStep(b.id, 'quick', { actor: 'U2' })).state).toBe('succeeded');
    expect(engine.isRunningHere(a.id, 'h')).toBe(true);
    expect(engine.cancel(a.id, 'h', 'U3')).toBe(true);
    g.release({ exitCode: null });
    const r = await hung.done;
    expect(r.state).toBe('failed');
    expect(r.reason).toBe('cancelled by U3');
  });
});

describe('RunEngine: concurrency', () => {
  it('two simultaneous claims of one step execute it once', async () => {
    const { engine, runner, start, store } = setup();
    const run = await start([step('s')]);
    const results = await Promise.allSettled([
      engine.runStep(run.id, 's', { actor: 'U1' }),
      engine.runStep(run.id, 's', { actor: 'U2' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isCoded(rejected.reason, 'conflict')).toBe(true);
    expect(runner.calls).toHaveLength(1);
    expect(await store.attempts(run.id)).toHaveLength(1);
  });

  it('two simultaneous clicks on a restart execute it once', async () => {
    const { engine, runner, start } = setup();
    const run = await start([step('restart', { command: { kind: 'docker', action: 'restart', target: { container: 'redis' } } })]);
    const results = await Promise.allSettled([1, 2, 3].map((n) => engine.runStep(run.id, 'restart', { actor: `U${n}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toMatch(/already started|is running/);
    expect(runner.calls).toHaveLength(1);
  });

  it('two runs cannot restart the same target at the same time', async () => {
    const g = gate();
    const runner = new ScriptedRunner().on('restart:redis', g.script);
    const { engine, start, store } = setup(runner);
    const restart = step('restart', { command: { kind: 'docker', action: 'restart', target: { container: 'redis' } } });
    const a = await start([restart]);
    const b = await start([restart]);
    const first = await engine.startStep(a.id, 'restart', { actor: 'U1' });
    await g.started;
    const err = await rejection(engine.runStep(b.id, 'restart', { actor: 'U2' }));
    expect(isCoded(err, 'conflict')).toBe(true);
    expect((err as Error).message).toContain(`run ${a.id}`);
    expect((await store.getStep(b.id, 'restart'))?.state).toBe('pending');
    g.release();
    expect((await first.done).state).toBe('succeeded');
    expect(await store.getLock('docker:redis')).toBeUndefined();
    expect((await engine.runStep(b.id, 'restart', { actor: 'U2' })).state).toBe('succeeded');
    expect(runner.calls).toHaveLength(2);
  });
});

describe('RunEngine: dangerous steps', () => {
  const danger = step('drop', { command: ssh('systemctl restart app'), danger: true });

  it('refuses without a confirmation, or with one for another command', async () => {
    const { engine, runner, start } = setup();
    const run = await start([danger]);
    expect(isCoded(await rejection(engine.runStep(run.id, 'drop', { actor: 'U1' })), 'forbidden')).toBe(true);
    const other = { ...danger, command: ssh('systemctl restart other') };
    const wrong = { confirmedBy: 'U1', refs: [], fingerprint: stepFingerprint(run.id, other) };
    expect(isCoded(await rejection(engine.runStep(run.id, 'drop', { actor: 'U1', confirmation: wrong })), 'forbidden')).toBe(true);
    expect(runner.calls).toHaveLength(0);
  });

  it('runs with a matching confirmation and records who confirmed and approved', async () => {
    const { engine, store, start } = setup();
    const run = await start([danger]);
    const confirmation = { confirmedBy: 'U1', approvedBy: 'U2', refs: ['approval:9'], fingerprint: stepFingerprint(run.id, danger) };
    expect((await engine.runStep(run.id, 'drop', { actor: 'U1', confirmation })).state).toBe('succeeded');
    expect((await store.attempts(run.id))[0].approvalRefs).toEqual(['confirmed:U1', 'approved:U2', 'approval:9']);
  });

  it('the authorize hook can deny', async () => {
    const { engine, runner, start } = setup(new ScriptedRunner(), {
      authorize: ({ actor }) => {
        if (actor !== 'U9') throw Object.assign(new Error('no'), { code: 'forbidden' });
      },
    });
    const run = await start([step('s')]);
    await expect(engine.runStep(run.id, 's', { actor: 'U1' })).rejects.toThrow('no');
    expect(runner.calls).toHaveLength(0);
    expect((await engine.runStep(run.id, 's', { actor: 'U9' })).state).toBe('succeeded');
  });
});

describe('RunEngine: skip, retry, manual, wait, escalate', () => {
  it('retries a failed step as a new attempt; succeeded and skipped steps cannot be retried', async () => {
    let n = 0;
    const { engine, store, start } = setup(new ScriptedRunner(async () => ({ exitCode: n++ === 0 ? 1 : 0, output: '', timedOut: false })));
    const run = await start([step('s'), step('t')]);
    expect((await engine.runStep(run.id, 's', { actor: 'U1' })).state).toBe('failed');
    expect(isCoded(await rejection(engine.runStep(run.id, 's', { actor: 'U1' })), 'conflict')).toBe(true);
    const r = await engine.retry(run.id, 's', { actor: 'U2' });
    expect(r).toMatchObject({ state: 'succeeded', attempt: 2 });
    expect((await store.attempts(run.id, 's')).map((a) => [a.number, a.actor, a.state])).toEqual([[1, 'U1', 'failed'], [2, 'U2', 'succeeded']]);
    expect(isCoded(await rejection(engine.retry(run.id, 's', { actor: 'U1' })), 'illegal_transition')).toBe(true);
    await engine.skip(run.id, 't', 'U1');
    expect(isCoded(await rejection(engine.skip(run.id, 't', 'U1')), 'illegal_transition')).toBe(true);
    expect(isCoded(await rejection(engine.retry(run.id, 't', { actor: 'U1' })), 'illegal_transition')).toBe(true);
    expect((await store.getRun(run.id))?.state).toBe('succeeded');
  });

  it('manual steps need a person to confirm', async () => {
    const { engine, start } = setup();
    const manual = step('m', { command: { kind: 'manual', instruction: 'Check the dashboard' } });
    const run = await start([manual, { ...manual, id: 'm2' }]);
    const r = await engine.runStep(run.id, 'm', { actor: 'U1' });
    expect(r.state).toBe('failed');
    expect(r.reason).toContain('needs a person');
    const seen: string[] = [];
    const ok = await engine.runStep(run.id, 'm2', { actor: 'U1', confirmManual: async (s) => (seen.push(s.id), true) });
    expect(ok.state).toBe('succeeded');
    expect(seen).toEqual(['m2']);
  });

  it('wait sleeps (abortably) and escalate calls the escalator', async () => {
    const slept: number[] = [];
    const calls: Array<[string, string, EscalationContext]> = [];
    const { engine, start } = setup(new ScriptedRunner(), {
      sleep: async (ms) => void slept.push(ms),
      escalator: { escalate: async (to, reason, ctx) => (calls.push([to, reason, ctx]), { message: `paged ${to}`, ref: 'PD-1' }) },
    });
    const run = await start([step('w', { command: { kind: 'wait', seconds: 10 } }), step('e', { command: { kind: 'escalate', to: 'sre', reason: 'Redis down' } })]);
    expect((await engine.runStep(run.id, 'w', { actor: 'U1' })).state).toBe('succeeded');
    expect(slept).toEqual([10_000]);
    const e = await engine.runStep(run.id, 'e', { actor: 'U1' });
    expect(e.output.text).toBe('paged sre (PD-1)\n');
    expect(calls[0]).toEqual(['sre', 'Redis down', { runId: run.id, stepId: 'e', runbookId: 'rb', incidentId: 7, actor: 'U1' }]);
  });
});

describe('RunEngine: crash recovery and shutdown', () => {
  it('a step left running is marked interrupted at start-up and never re-run by itself', async () => {
    const store = new MemoryRunStore();
    const runner = new ScriptedRunner(hangsUntilAborted());
    const before = new RunEngine({ store, runner });
    const restart = step('restart', { command: { kind: 'docker', action: 'restart', target: { container: 'redis' } } });
    const run = await before.start({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U1', steps: [restart] });
    await before.startStep(run.id, 'restart', { actor: 'U1' });
    expect(await store.getLock('docker:redis')).toBeDefined();
    // "Restart": a new engine on the same store; the old one is gone without finishing.
    const after = new RunEngine({ store, runner });
    const changed = await after.recoverInterrupted();
    expect(changed.map((s) => [s.runId, s.stepId, s.state])).toEqual([[run.id, 'restart', 'interrupted']]);
    expect((await store.attempts(run.id))[0]).toMatchObject({ state: 'interrupted', error: expect.stringContaining('interrupted') });
    expect(await store.getLock('docker:redis')).toBeUndefined();
    expect(runner.calls).toHaveLength(1);
    expect((await store.getRun(run.id))?.state).toBe('failed');
    await before.close();
  });

  it('another replica recovers only steps whose process stopped saying it is alive', async () => {
    const store = new MemoryRunStore();
    let now = new Date('2026-03-01T10:00:00Z');
    const clock = { now: () => now };
    const runner = new ScriptedRunner(hangsUntilAborted());
    const r1 = new RunEngine({ store, runner, clock, instanceId: 'replica-1', heartbeatMs: 10_000 });
    const r2 = new RunEngine({ store, runner, clock, instanceId: 'replica-2', heartbeatMs: 10_000 });
    const run = await r1.start({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U1', steps: [step('s', { timeoutMs: 600_000 })] });
    await r1.startStep(run.id, 's', { actor: 'U1' });
    expect(await r2.recoverInterrupted()).toEqual([]);
    expect((await store.getStep(run.id, 's'))?.state).toBe('running');
    // replica-1 dies: its last heartbeat said "alive for 30 s".
    now = new Date(now.getTime() + 30_000);
    expect((await r2.recoverInterrupted()).map((s) => s.stepId)).toEqual(['s']);
    await r1.close();
  });

  it('close() ends running steps as interrupted', async () => {
    let running!: () => void;
    const runnerStarted = new Promise<void>((r) => (running = r));
    const { engine, start, runner } = setup(new ScriptedRunner(hangsUntilAborted(() => running())));
    const run = await start([step('s', { timeoutMs: 60_000 })]);
    const started = await engine.startStep(run.id, 's', { actor: 'U1' });
    await runnerStarted;
    await engine.close();
    const r = await started.done;
    expect(r.state).toBe('interrupted');
    expect(r.output.text).toBe('started\n');
    expect(runner.calls).toHaveLength(1);
  });
});

describe('RunEngine: the command text is redacted too', () => {
  it('stores and announces the command without secrets in it', async () => {
    const { engine, store, start } = setup(new ScriptedRunner(), { secrets: ['configured-secret'] });
    const run = await start([step('s', { command: ssh('mysql -pX --password=hunter2 -e "select 1" # configured-secret') })]);
    const events: RunEvent[] = [];
    engine.subscribe((e) => events.push(e));
    await engine.runStep(run.id, 's', { actor: 'U1' });
    const started = events.find((e) => e.type === 'step.started');
    const [a] = await store.attempts(run.id);
    for (const text of [a.command, started?.type === 'step.started' ? started.command : '']) {
      expect(text).toBe('ssh web1 mysql -pX --password=[REDACTED] -e "select 1" # [REDACTED]');
    }
  });
});

describe('RunEngine: per-run secrets', () => {
  it('hides the secret parameters given at start, and ones passed with a step', async () => {
    const { engine } = setup(new ScriptedRunner(prints(['user=app pass-one pass-two\n'])));
    const run = await engine.start({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U1', steps: [step('a'), step('b')] }, { secrets: ['pass-one'] });
    const other = await engine.start({ runbookId: 'rb', incidentId: null, params: {}, startedBy: 'U1', steps: [step('a')] });
    expect((await engine.runStep(run.id, 'a', { actor: 'U1' })).output.text).toBe('user=app [REDACTED] pass-two\n');
    expect((await engine.runStep(run.id, 'b', { actor: 'U1', secrets: ['pass-two'] })).output.text).toBe('user=app [REDACTED] [REDACTED]\n');
    expect((await engine.runStep(other.id, 'a', { actor: 'U1' })).output.text).toBe('user=app pass-one pass-two\n');
  });
});
