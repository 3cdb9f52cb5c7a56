/**
 * Docker step overhead: one command on one container, run three ways, interleaved:
 * as an opsroom runbook step (RunEngine + KyselyRunStore on SQLite + DockerStepRunner, the target
 * named by compose labels as runbooks name it), as a direct dockerode exec, and as `docker exec`.
 */
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { DockerStepRunner } from '#executors/index.js';
import { dockerAvailable, startDocker } from '../../test/support/peers/docker.js';
import { dockerodeExec } from '../lib/exec.js';
import { engineOnSqlite, step } from '../lib/runs.js';
import { progress, SkipBenchmark, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, median, medianSpread, round } from '../lib/stats.js';
import { interleave } from '../lib/trials.js';

const log = (m: string) => progress('docker', m);
const ARGV = ['cat', '/etc/hostname'];

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  if (!dockerAvailable()) throw new SkipBenchmark('Docker peer missing (scripts/install-peers.sh)');
  const rounds = smoke ? 5 : 40;
  const peer = await startDocker();
  const ops = await engineOnSqlite(new DockerStepRunner({ docker: new Docker({ socketPath: peer.socketPath }) }));
  try {
    const container = await peer.run({ project: 'shop', service: 'api', cmd: ['sleep', '3600'] });
    const expected = (await container.inspect()).Config.Hostname;
    const docker = new Docker({ socketPath: peer.socketPath });
    const check = (out: string, how: string) => {
      if (out.trim() !== expected) throw new Error(`${how} printed ${JSON.stringify(out.slice(0, 200))}, expected ${expected}`);
    };
    const s = step('hostname', { kind: 'docker', target: { composeProject: 'shop', composeService: 'api' }, action: 'exec', argv: ARGV });
    const variants = {
      opsroom: async () => {
        const run = await ops.engine.start({ runbookId: 'bench', incidentId: null, params: {}, startedBy: 'U0BENCH', steps: [s] });
        const r = await ops.engine.runStep(run.id, s.id, { actor: 'U0BENCH' });
        if (r.state !== 'succeeded') throw new Error(`opsroom step ${r.state}: ${r.reason}`);
        check(r.output.text, 'opsroom step');
      },
      dockerode: async () => check(await dockerodeExec(docker, container.id, ARGV), 'dockerode exec'),
      cli: async () => check(await cliExec(peer.socketPath, container.id, ARGV), 'docker exec'),
    };
    log(`${rounds} rounds of: opsroom step, dockerode exec, docker exec CLI (\`${ARGV.join(' ')}\`)`);
    const t = await interleave(variants, rounds, 3);
    const [o, d, c] = [median(t.opsroom), median(t.dockerode), median(t.cli)];
    log(`opsroom ${medianSpread(t.opsroom)}; dockerode ${medianSpread(t.dockerode)}; cli ${medianSpread(t.cli)}`);
    // Where opsroom's time goes: the same step without the engine and store (runner only).
    const runner = new DockerStepRunner({ docker });
    const runnerOnly = await interleave({
      runner: () => runner.run(s.command, { timeoutMs: 60_000, signal: new AbortController().signal, onOutput: () => {} }),
    }, rounds, 2);
    const r = median(runnerOnly.runner);
    const data = { opsroomMs: t.opsroom, dockerodeMs: t.dockerode, cliMs: t.cli, runnerOnlyMs: runnerOnly.runner, rounds };
    return [
      { key: 'docker.step_vs_dockerode_ratio', value: round(o / d), detail: `opsroom step ${medianSpread(t.opsroom)} / dockerode exec ${medianSpread(t.dockerode)}; DockerStepRunner alone (no engine, no store) ${fmt(r)} ms`, data },
      { key: 'docker.step_vs_cli_ratio', value: round(o / c), detail: `opsroom step ${fmt(o)} ms / docker exec CLI ${medianSpread(t.cli)}` },
    ];
  } finally {
    await ops.close().catch(() => undefined);
    await peer.stop();
  }
}

function cliExec(socketPath: string, id: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('docker', ['exec', id, ...argv], { env: { ...process.env, DOCKER_HOST: `unix://${socketPath}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker exec exit ${code}: ${err}`))));
  });
}
