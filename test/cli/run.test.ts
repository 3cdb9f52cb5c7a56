import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type RunIo } from '../../src/cli/run.js';
import { openDatabase } from '../../src/store/db.js';
import { KyselyRunStore } from '../../src/store/runs.js';
import { prints, ScriptedRunner } from '../core/runs/support/scripted-runner.js';

const RUNBOOK = `
title: Cache caído
severity: P2
docker: { project: shop }
params:
  service: { type: string, pattern: "^[a-z0-9-]+$", default: cache }
  token: { type: string, secret: true, default: s3cr3t-token-value }
steps:
  - id: ping
    title: Ping
    docker: { service: "{{ service }}", exec: [redis-cli, ping] }
    expect: { output_contains: PONG }
  - id: conf
    title: Config
    docker: { service: "{{ service }}", exec: [cat, /etc/app.conf], env: { TOKEN: "{{ token }}" } }
    on_failure: continue
  - id: restart
    title: Reiniciar
    docker: { service: "{{ service }}", restart: true }
    danger: true
  - id: after
    title: Ping again
    docker: { service: "{{ service }}", exec: [redis-cli, ping] }
`;

describe('opsroom run (engine and store real, executor scripted)', () => {
  let dir: string;
  let out: string;
  let err: string;
  let runner: ScriptedRunner;
  const io = (over: Partial<RunIo> = {}): RunIo => ({
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: {},
    runner: async () => runner,
    ...over,
  });
  const args = (...more: string[]) => ['cache-down', '--runbooks', join(dir, 'runbooks'), '--db', `sqlite:${join(dir, 'db', 'o.db')}`, '--config', join(dir, 'none.yml'), ...more];
  const stored = async () => {
    const database = await openDatabase(`sqlite:${join(dir, 'db', 'o.db')}`);
    const store = new KyselyRunStore(database);
    const [run] = await store.listRuns();
    const result = { run, steps: await store.steps(run.id), attempts: await store.attempts(run.id) };
    await database.close();
    return result;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-run-cli-'));
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'cache-down.yml'), RUNBOOK);
    out = '';
    err = '';
    runner = new ScriptedRunner(prints(['PONG\n']));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--dry-run prints each resolved command and target and runs nothing', async () => {
    expect(await runCommand(args('--dry-run', '--param', 'service=web'), io())).toBe(0);
    expect(out).toContain('[1/4] ping — Ping');
    expect(out).toContain('docker exec shop/web redis-cli ping');
    expect(out).toContain('target:  docker:shop/web');
    expect(out).toContain('[3/4] restart — Reiniciar  (dangerous)');
    expect(runner.calls).toHaveLength(0);
  });

  it('bad parameters, unknown steps and unknown runbooks are usage errors (exit 2)', async () => {
    expect(await runCommand(args('--param', 'service=$(id)'), io())).toBe(2);
    expect(err).toContain('parameter "service" must match');
    expect(await runCommand(args('--param', 'oops'), io())).toBe(2);
    expect(await runCommand(args('--step', 'nope'), io())).toBe(2);
    expect(err).toContain('has no step nope');
    expect(await runCommand(['missing', '--runbooks', join(dir, 'runbooks')], io())).toBe(2);
    expect(runner.calls).toHaveLength(0);
  });

  it('without a terminal or --yes, a dangerous step is refused with a clear message (exit 1)', async () => {
    expect(await runCommand(args(), io())).toBe(1);
    expect(err).toContain('restart is dangerous');
    expect(err).toContain('--yes');
    expect(runner.calls.map((c) => c.kind === 'docker' && c.action)).toEqual(['exec', 'exec']);
    const { steps } = await stored();
    expect(steps.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'pending', 'pending']);
  });

  it('--yes runs everything, streams output, stores the run with redacted output and params', async () => {
    runner = new ScriptedRunner(async (c, o) => {
      const text = c.kind === 'docker' && c.action === 'exec' && c.argv[0] === 'cat' ? 'auth=s3cr3t-token-value\npassword=hunter2\n' : 'PONG\n';
      o.onOutput(text);
      return { exitCode: 0, output: text, timedOut: false };
    });
    expect(await runCommand(args('--yes'), io())).toBe(0);
    expect(out).toContain('  │ PONG');
    expect(out).not.toContain('s3cr3t-token-value');
    expect(out).not.toContain('hunter2');
    expect(out).toMatch(/run \d+: 4 succeeded, 0 failed, 0 skipped/);
    const { run, steps, attempts } = await stored();
    expect(run.params).toEqual({ service: 'cache', token: '[REDACTED]' });
    expect(steps.every((s) => s.state === 'succeeded')).toBe(true);
    const restart = attempts.find((a) => a.stepId === 'restart');
    expect(restart).toMatchObject({ command: 'docker restart shop/cache', target: 'docker:shop/cache', approvalRefs: expect.arrayContaining(['cli:--yes']) });
    expect(attempts.find((a) => a.stepId === 'conf')?.output).toBe('auth=[REDACTED]\npassword=[REDACTED]\n');
  });

  it('a failed step makes the exit code 1; on a terminal a dangerous step can be skipped', async () => {
    runner = new ScriptedRunner(prints(['nope\n'], 1));
    const asked: string[] = [];
    const code = await runCommand(args(), io({ ask: async (q) => (asked.push(q), 'n') }));
    expect(code).toBe(1);
    // ping fails (exit 1, on_failure stop): nothing after it runs, nothing is asked.
    expect(asked).toEqual([]);
    expect(out).toContain('✘ failed');
    expect(out).toContain('exit code 1, expected 0');
  });

  it('on a terminal: asks before a dangerous step, and "n" skips it', async () => {
    const asked: string[] = [];
    const code = await runCommand(args(), io({ ask: async (q) => (asked.push(q), 'n') }));
    expect(code).toBe(0);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('docker restart shop/cache');
    const { steps } = await stored();
    expect(steps.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'skipped', 'succeeded']);
  });

  it('--step runs only the named steps', async () => {
    expect(await runCommand(args('--step', 'after'), io())).toBe(0);
    expect(runner.calls).toHaveLength(1);
    const { steps } = await stored();
    expect(steps.map((s) => s.state)).toEqual(['pending', 'pending', 'pending', 'succeeded']);
  });
});
