import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerStepRunner } from '#executors/docker/docker-step-runner.js';
import type { DockerAction, DockerTarget, ResolvedCommand, RunOptions } from '#core/runs/step-runner.js';
import { dockerAvailable, startDocker, type DockerPeer } from '../support/peers/docker.js';

const opts = (over: Partial<RunOptions> = {}): RunOptions & { chunks: string[] } => {
  const chunks: string[] = [];
  return { timeoutMs: 20_000, signal: new AbortController().signal, onOutput: (c) => chunks.push(c), chunks, ...over };
};
const cmd = (c: { target: DockerTarget } & DockerAction): ResolvedCommand => ({ kind: 'docker', ...c });

describe.skipIf(!dockerAvailable())('DockerStepRunner against a real dockerd', () => {
  let peer: DockerPeer;
  let runner: DockerStepRunner;
  let remoteStyle: DockerStepRunner;
  const app = { composeProject: 'shop', composeService: 'app' };

  beforeAll(async () => {
    peer = await startDocker();
    runner = new DockerStepRunner({ docker: peer.docker });
    remoteStyle = new DockerStepRunner({ docker: peer.docker, localKill: false });
    await peer.run({
      name: 'shop-app-1', project: 'shop', service: 'app',
      cmd: ['sh', '-c', 'echo starting; echo "ERROR db connection refused" >&2; echo Warning: slow; echo ready; exec sleep 600'],
    });
    await peer.run({ name: 'shop-cache-1', project: 'shop', service: 'cache', cmd: ['sleep', '600'] });
    await peer.run({ name: 'other-app-1', project: 'other', service: 'app', cmd: ['sleep', '600'] });
  });
  afterAll(async () => { await peer?.stop(); });

  /** Processes in a container whose command line contains `needle` (busybox ps). */
  async function processes(target: DockerTarget, needle: string) {
    const r = await runner.run(cmd({ target, action: 'exec', argv: ['ps', '-o', 'pid,args'] }), opts());
    return r.output.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -o'));
  }

  it('runs argv and reports the exit code and streamed output', async () => {
    const o = opts();
    const ok = await runner.run(cmd({ target: app, action: 'exec', argv: ['echo', 'hello'] }), o);
    expect(ok).toMatchObject({ exitCode: 0, output: 'hello\n', timedOut: false });
    expect(o.chunks.join('')).toBe('hello\n');
    const bad = await runner.run(cmd({ target: app, action: 'exec', argv: ['sh', '-c', 'echo oops >&2; exit 3'] }), opts());
    expect(bad).toMatchObject({ exitCode: 3, output: 'oops\n' });
  });

  it('a program missing from the image fails with the engine\'s message', async () => {
    const r = await runner.run(cmd({ target: app, action: 'exec', argv: ['curl', '-v', 'http://x/'] }), opts());
    expect(r.exitCode === 126 || r.exitCode === 127).toBe(true);
    expect(r.output).toMatch(/executable file not found/);
  });

  it('passes argv without a shell: metacharacters stay literal', async () => {
    const r = await runner.run(cmd({ target: app, action: 'exec', argv: ['echo', '$(id)', ';', 'id', '`id`', '&&', 'id'] }), opts());
    expect(r.output).toBe('$(id) ; id `id` && id\n');
    expect(r.output).not.toMatch(/uid=/);
  });

  it('passes user, workdir and env', async () => {
    const r = await runner.run(cmd({
      target: { container: 'shop-app-1' }, action: 'exec', argv: ['sh', '-c', 'echo "$GREETING $(pwd) $(id -u)"'],
      workdir: '/tmp', env: { GREETING: 'hi there' }, user: '65534',
    }), opts());
    expect(r.output).toBe('hi there /tmp 65534\n');
  });

  for (const [label, r] of [['local /proc', () => runner], ['in-container kill', () => remoteStyle]] as const) {
    it(`a timeout kills the exec'd process and its children (${label})`, async () => {
      const marker = label === 'local /proc' ? '313' : '314';
      const argv = ['sh', '-c', `echo begun; sleep ${marker}; echo never`];
      const res = await r().run(cmd({ target: app, action: 'exec', argv }), opts({ timeoutMs: 800 }));
      expect(res).toMatchObject({ timedOut: true, exitCode: null });
      expect(res.error).toBeUndefined();
      expect(res.output).toBe('begun\n');
      expect(await processes(app, `sleep ${marker}`)).toEqual([]);
    });
  }

  it('aborting kills the process too', async () => {
    const ac = new AbortController();
    const p = runner.run(cmd({ target: app, action: 'exec', argv: ['sleep', '315'] }), opts({ signal: ac.signal }));
    for (let i = 0; i < 100 && (await processes(app, 'sleep 315')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await processes(app, 'sleep 315')).toHaveLength(1);
    ac.abort();
    const res = await p;
    expect(res).toMatchObject({ exitCode: null, timedOut: false });
    expect(res.error).toMatch(/cancelled/);
    expect(await processes(app, 'sleep 315')).toEqual([]);
  });

  it('reads logs with tail and a case-insensitive grep, both streams, no frame headers', async () => {
    const all = await runner.run(cmd({ target: app, action: 'logs' }), opts());
    // stdout and stderr are copied by separate goroutines: their relative order is the engine's.
    expect(all.output.split('\n').sort()).toEqual(['', 'ERROR db connection refused', 'Warning: slow', 'ready', 'starting']);
    expect(all.output).not.toMatch(/[\x00-\x08]/);
    const errors = await runner.run(cmd({ target: app, action: 'logs', grep: 'error', ignoreCase: true }), opts());
    expect(errors).toMatchObject({ exitCode: 0, output: 'ERROR db connection refused\n' });
    const strict = await runner.run(cmd({ target: app, action: 'logs', grep: 'error' }), opts());
    expect(strict.output).toBe('');
    const alt = await runner.run(cmd({ target: app, action: 'logs', grep: 'error|warning', ignoreCase: true }), opts());
    expect(alt.output.split('\n').sort()).toEqual(['', 'ERROR db connection refused', 'Warning: slow']);
    const tail = await runner.run(cmd({ target: app, action: 'logs', tail: 1 }), opts());
    expect(tail.output.split('\n')).toHaveLength(2);
    expect(all.output.endsWith(tail.output)).toBe(true);
  });

  it('logs of a whole project are prefixed by service', async () => {
    const r = await runner.run(cmd({ target: { composeProject: 'shop' }, action: 'logs', grep: 'ready' }), opts());
    expect(r.output).toBe('app   | ready\n');
  });

  it('stats gives CPU and memory for the project', async () => {
    const r = await runner.run(cmd({ target: { composeProject: 'shop' }, action: 'stats' }), opts());
    expect(r.exitCode).toBe(0);
    const lines = r.output.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+CPU %\s+MEM USAGE \/ LIMIT/);
    expect(lines).toHaveLength(3);
    for (const l of lines.slice(1)) expect(l).toMatch(/^shop-(app|cache)-1\s+\d+\.\d\d%\s+[\d.]+(B|KiB|MiB) \/ [\d.]+(MiB|GiB|TiB)\s+\d+\.\d\d%\s+\d+$/);
  });

  it('ps lists the project by labels only, with state', async () => {
    const r = await runner.run(cmd({ target: { composeProject: 'shop' }, action: 'ps' }), opts());
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/shop-app-1\s+app\s+running/);
    expect(r.output).toMatch(/shop-cache-1\s+cache\s+running/);
    expect(r.output).not.toMatch(/other-app-1/);
  });

  it('restart really restarts (StartedAt changes); stop and start change state', async () => {
    await peer.run({ name: 'life-web-1', project: 'life', service: 'web', cmd: ['sleep', '600'] });
    const c = peer.docker.getContainer('life-web-1');
    const before = (await c.inspect()).State.StartedAt;
    const t = { composeProject: 'life', composeService: 'web' };
    const r = await runner.run(cmd({ target: t, action: 'restart', timeoutSeconds: 1 }), opts());
    expect(r).toMatchObject({ exitCode: 0, output: 'Restarted life-web-1\n' });
    expect((await c.inspect()).State.StartedAt).not.toBe(before);
    expect(await runner.run(cmd({ target: t, action: 'stop', timeoutSeconds: 0 }), opts())).toMatchObject({ exitCode: 0 });
    expect((await c.inspect()).State.Running).toBe(false);
    const ps = await runner.run(cmd({ target: t, action: 'ps' }), opts());
    expect(ps.exitCode).toBe(1);
    expect(ps.output).toMatch(/life-web-1\s+web\s+exited/);
    const stats = await runner.run(cmd({ target: t, action: 'stats' }), opts());
    expect(stats).toMatchObject({ exitCode: 1 });
    expect(stats.output).toMatch(/not running \(exited\)/);
    const exec = await runner.run(cmd({ target: t, action: 'exec', argv: ['true'] }), opts());
    expect(exec.error).toMatch(/not running/);
    expect(await runner.run(cmd({ target: t, action: 'start' }), opts())).toMatchObject({ exitCode: 0, output: 'Started life-web-1\n' });
    expect((await c.inspect()).State.Running).toBe(true);
    const again = await runner.run(cmd({ target: t, action: 'start' }), opts());
    expect(again.output).toBe('life-web-1 was already running\n');
  });

  it('ps reports an unhealthy container and fails', async () => {
    await peer.run({ name: 'sick-api-1', project: 'sick', service: 'api', cmd: ['sleep', '600'], healthcheck: { test: ['CMD', 'false'], intervalMs: 200 } });
    let r = await runner.run(cmd({ target: { composeProject: 'sick' }, action: 'ps' }), opts());
    for (let i = 0; i < 100 && !/\(unhealthy\)/.test(r.output); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await runner.run(cmd({ target: { composeProject: 'sick' }, action: 'ps' }), opts());
    }
    expect(r.output).toMatch(/sick-api-1\s+api\s+running\s+Up .*\(unhealthy\)/);
    expect(r.exitCode).toBe(1);
  });

  it('target resolution: clear errors for none and ambiguous, prefers the running one', async () => {
    const none = await runner.run(cmd({ target: { composeProject: 'shop', composeService: 'nope' }, action: 'ps' }), opts());
    expect(none.error).toBe('No containers labelled com.docker.compose.project=shop, com.docker.compose.service=nope');
    const noName = await runner.run(cmd({ target: { container: 'ghost' }, action: 'logs' }), opts());
    expect(noName.error).toBe('No container named "ghost"');
    const bare = await runner.run(cmd({ target: {}, action: 'ps' }), opts());
    expect(bare.error).toMatch(/needs a container name/);

    await peer.run({ name: 'dup-w-1', project: 'dup', service: 'w', cmd: ['sleep', '600'] });
    const second = await peer.run({ name: 'dup-w-2', project: 'dup', service: 'w', cmd: ['sleep', '600'] });
    const ambiguous = await runner.run(cmd({ target: { composeProject: 'dup', composeService: 'w' }, action: 'exec', argv: ['hostname'] }), opts());
    expect(ambiguous.error).toMatch(/^2 containers labelled .*dup-w-1: running, dup-w-2: running/);
    await second.stop({ t: 0 });
    const picked = await runner.run(cmd({ target: { composeProject: 'dup', composeService: 'w' }, action: 'exec', argv: ['hostname'] }), opts());
    expect(picked.exitCode).toBe(0);
    const first = await peer.docker.getContainer('dup-w-1').inspect();
    expect(picked.output.trim()).toBe(first.Config.Hostname);
  });

  it('an unreachable engine is an error, not a crash', async () => {
    const Docker = (await import('dockerode')).default;
    const lost = new DockerStepRunner({ docker: new Docker({ socketPath: `${peer.socketPath}.missing` }) });
    const r = await lost.run(cmd({ target: app, action: 'ps' }), opts());
    expect(r.error).toMatch(/^Docker engine unreachable: .*ENOENT/);
  });
});
