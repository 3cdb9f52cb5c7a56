import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type RunIo } from '#cli/run.js';
import { openDatabase } from '#store/db.js';
import { KyselyRunStore } from '#store/runs.js';
import { prints, ScriptedRunner } from '../core/runs/support/scripted-runner.js';
import { dockerAvailable, startDocker, type DockerPeer } from '../support/peers/docker.js';
import { sshdAvailable, startSshd, type SshdPeer } from '../support/peers/sshd.js';

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

  it('a run whose restart fixed what failed reads recovered, skips Option 2 saying why, and exits 0', async () => {
    writeFileSync(join(dir, 'runbooks', 'cache-recover.yml'), [
      'title: Caché que se recupera',
      'docker: { project: shop }',
      'defaults: { on_failure: continue }',
      'steps:',
      '  - { id: ping, title: Ping, docker: { service: cache, exec: [redis-cli, ping] }, read_only: true, expect: { output_contains: PONG } }',
      '  - { id: restart, title: Reiniciar, docker: { service: cache, restart: true }, danger: true }',
      '  - { id: after, title: Ping otra vez, docker: { service: cache, exec: [redis-cli, ping] }, read_only: true, expect: { output_contains: PONG } }',
      '  - { id: wipe, title: Vaciar, docker: { service: cache, exec: [redis-cli, flushall] }, danger: true, when: { failed: after } }',
    ].join('\n'));
    let restarted = false;
    runner = new ScriptedRunner(async (c) => {
      if (c.kind === 'docker' && c.action === 'restart') restarted = true;
      const text = restarted ? 'PONG\n' : 'LOADING\n';
      return { exitCode: 0, output: text, timedOut: false };
    });
    const code = await runCommand(['cache-recover', ...args('--yes').slice(1)], io());
    expect(out).toMatch(/run \d+: recovered: 2 succeeded, 1 failed, 1 skipped/);
    expect(out).toContain('wipe skipped (not needed: after succeeded)');
    expect(code).toBe(0);
    expect(runner.calls.some((c) => c.kind === 'docker' && c.action === 'exec' && c.argv.includes('flushall'))).toBe(false);
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

const dockerRunbook = (healthUrl: string) => `
title: Cache caído
severity: P2
docker: { project: shop }
steps:
  - id: health
    title: Health endpoint
    http: { url: "${healthUrl}", expect_status: 200, expect_body: ok }
  - id: ping
    title: Ping
    docker: { service: cache, exec: [sh, -c, "echo PONG; echo password=hunter2"] }
    expect: { output_contains: PONG }
  - id: restart
    title: Reiniciar cache
    docker: { service: cache, restart: { timeout: 1s } }
    danger: true
  - id: slow
    title: Un comando que no termina
    docker: { service: cache, exec: [sleep, "37"] }
    timeout: 2s
    on_failure: continue
  - id: check
    title: El sleep ya no corre
    docker: { service: cache, exec: [ps] }
    expect: { output_not_contains: "sleep 37" }
  - id: hang
    title: Se queda colgado
    docker: { service: cache, exec: [sleep, "333"] }
    timeout: 5m
`;

describe.runIf(dockerAvailable())('opsroom run against a real Docker engine (the real command, in a child process)', () => {
  let peer: DockerPeer;
  let dir: string;
  let container: Docker.Container;
  let health: Server;
  const startedAt = async () => (await container.inspect()).State.StartedAt;
  const opsroom = (...args: string[]) => opsroomWith(() => undefined, ...args);
  const opsroomWith = (onStdout: (text: string, child: ChildProcess) => void, ...args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', 'cache-down', '--runbooks', join(dir, 'runbooks'), '--inventory', join(dir, 'inventory.yml'), '--db', `sqlite:${join(dir, 'o.db')}`, '--config', join(dir, 'none.yml'), ...args], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

  beforeAll(async () => {
    peer = await startDocker();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-run-docker-'));
    mkdirSync(join(dir, 'runbooks'));
    health = createServer((_req, res) => res.end('ok\n'));
    await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
    const { port } = health.address() as AddressInfo;
    writeFileSync(join(dir, 'runbooks', 'cache-down.yml'), dockerRunbook(`http://127.0.0.1:${port}/health`));
    writeFileSync(join(dir, 'inventory.yml'), `docker: { socket_path: ${JSON.stringify(peer.socketPath)}, projects: { shop: { services: [cache] } } }\n`);
    container = await peer.run({ project: 'shop', service: 'cache', cmd: ['sleep', '600'] });
  });
  afterAll(async () => {
    health?.close();
    await peer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the dangerous restart without a terminal or --yes, and restarts nothing', async () => {
    const before = await startedAt();
    const r = await opsroom();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('restart is dangerous');
    expect(r.stdout).toContain('  │ PONG');
    expect(r.stdout).toContain('password=[REDACTED]');
    expect(r.stdout).not.toContain('hunter2');
    expect(await startedAt()).toBe(before);
  });

  it('with --yes: really restarts the container, kills the timed-out exec, stores every attempt', async () => {
    const before = await startedAt();
    const r = await opsroom('--yes', '--step', 'health', '--step', 'ping', '--step', 'restart', '--step', 'slow', '--step', 'check');
    // `slow` timed out (on_failure: continue), so the run as a whole is not a success.
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('⏱ timed out');
    expect(r.stdout).toMatch(/run \d+: 4 succeeded, 1 failed, 0 skipped/);
    expect(await startedAt()).not.toBe(before);
    const database = await openDatabase(`sqlite:${join(dir, 'o.db')}`);
    try {
      const store = new KyselyRunStore(database);
      const [run] = await store.listRuns({ limit: 1 });
      expect((await store.steps(run.id)).map((s) => [s.stepId, s.state])).toEqual([
        ['health', 'succeeded'], ['ping', 'succeeded'], ['restart', 'succeeded'], ['slow', 'timed_out'], ['check', 'succeeded'], ['hang', 'pending'],
      ]);
      const attempts = await store.attempts(run.id);
      expect(attempts.find((a) => a.stepId === 'restart')).toMatchObject({ command: 'docker restart shop/cache', target: 'docker:shop/cache', actor: expect.stringMatching(/^cli:/) });
      expect(attempts.find((a) => a.stepId === 'ping')?.output).toBe('PONG\npassword=[REDACTED]\n');
      expect(await store.getLock('docker:shop/cache')).toBeUndefined();
    } finally {
      await database.close();
    }
  });

  it('exits 0 when every step it ran succeeded', async () => {
    const r = await opsroom('--step', 'health', '--step', 'ping', '--step', 'check');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('Ctrl-C stops the running step (the process in the container is killed) and exits 130', async () => {
    const sleeping = async () => JSON.stringify((await container.top({ ps_args: 'ax' })).Processes).includes('sleep 333');
    let sent = false;
    let wasRunning = false;
    const r = await opsroomWith((text, child) => {
      if (sent || !text.includes('hang: docker exec')) return;
      sent = true;
      void (async () => {
        for (let i = 0; i < 100 && !wasRunning; i++) {
          wasRunning = await sleeping();
          if (!wasRunning) await new Promise((res) => setTimeout(res, 50));
        }
        child.kill('SIGINT');
      })();
    }, '--step', 'hang');
    expect(wasRunning).toBe(true);
    expect(r.code).toBe(130);
    expect(await sleeping()).toBe(false);
    const database = await openDatabase(`sqlite:${join(dir, 'o.db')}`);
    try {
      const store = new KyselyRunStore(database);
      const [run] = await store.listRuns({ limit: 1 });
      expect((await store.getStep(run.id, 'hang'))?.state).toBe('interrupted');
    } finally {
      await database.close();
    }
  });
});

const SSH_RUNBOOK = `
title: Host check
severity: P3
params:
  who: { type: string }
steps:
  - id: greet
    title: Greet
    ssh: { host: web, command: "echo hello {{ who }}" }
    expect: { output_contains: hello }
  - id: other
    title: On a host whose key changed
    ssh: { host: moved, command: "echo should-not-run" }
`;

describe.runIf(sshdAvailable())('opsroom run over SSH to a real sshd (inventory wiring, quoting, host keys)', () => {
  let sshd: SshdPeer;
  let dir: string;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-run-ssh-'));
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'host-check.yml'), SSH_RUNBOOK);
    const host = (key: string) => ({ address: sshd.host, port: sshd.port, user: sshd.user, key_path: sshd.keyPath, host_key: key });
    writeFileSync(join(dir, 'inventory.yml'), JSON.stringify({ hosts: { web: host(sshd.hostKeyLine), moved: host(sshd.wrongHostKeyLine) } }));
  });
  afterAll(async () => {
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the quoted command on the host, and refuses a host whose key does not match', async () => {
    const out: string[] = [];
    const marker = join(dir, 'pwned');
    const code = await runCommand(
      ['host-check', '--runbooks', join(dir, 'runbooks'), '--inventory', join(dir, 'inventory.yml'), '--db', `sqlite:${join(dir, 'o.db')}`, '--config', join(dir, 'none.yml'),
        '--param', `who=x; touch ${marker}`],
      { out: (t) => void out.push(t), err: (t) => void out.push(t), env: {} },
    );
    const text = out.join('');
    expect(text).toContain(`  │ hello x; touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
    // The second host presents another key: nothing runs there, the step fails, exit 1.
    expect(code).toBe(1);
    expect(text).not.toContain('should-not-run\n  ✔');
    expect(text).toMatch(/other[\s\S]*✘ failed in [\d.]+s: Host key for "moved" .* does not match the inventory/);
  });
});
