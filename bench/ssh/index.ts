/**
 * SSH step overhead: ten steps on one host through opsroom (RunEngine + store + SshStepRunner: one
 * pooled connection, opened by the first step), against ten fresh OpenSSH `ssh host cmd` runs, and
 * against OpenSSH sharing one ControlMaster connection (opened by the first). Trials interleaved;
 * each trial pays for its own connection setup.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedCommand, RunOptions, StepRunner } from '#core/runs/index.js';
import { SshStepRunner } from '#executors/index.js';
import { sshdAvailable, startSshd } from '../../test/support/peers/sshd.js';
import { engineOnSqlite, runSteps, step } from '../lib/runs.js';
import { progress, SkipBenchmark, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, median, medianSpread, round } from '../lib/stats.js';
import { plainUser } from '../lib/plain-user.js';
import { interleave } from '../lib/trials.js';

const log = (m: string) => progress('ssh', m);

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  if (!sshdAvailable()) throw new SkipBenchmark('SSH peer missing (scripts/install-peers.sh)');
  const rounds = smoke ? 1 : 10;
  const STEPS = smoke ? 3 : 10;
  const login = plainUser();
  const sshd = await startSshd({ user: login.name }).catch((e) => { login.remove(); throw e; });
  const who = login.name ? 'a login whose shell is sh with no start-up files' : `${sshd.user} (not root: its shell start-up files are included)`;
  log(`logging in as ${who}`);
  const inventory = { bench: { address: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, hostKey: sshd.hostKeyLine } };
  // A fresh SshStepRunner (so a fresh pool) for every trial, behind one engine.
  let runner = new SshStepRunner(inventory);
  const swap: StepRunner = { kinds: ['ssh'], run: (c: ResolvedCommand, o: RunOptions) => runner.run(c, o), close: () => runner.close() };
  const ops = await engineOnSqlite(swap);
  const knownHosts = join(sshd.dir, 'known_hosts');
  writeFileSync(knownHosts, `${sshd.hostKeyLine}\n`);
  const base = [
    '-i', sshd.keyPath, '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR', '-F', '/dev/null',
  ];
  const target = `${sshd.user}@${sshd.host}`;
  const cmd = (i: number) => `echo step-${i}`;
  let trial = 0;
  try {
    const variants = {
      opsroom: async () => {
        await runner.close();
        runner = new SshStepRunner(inventory);
        const steps = Array.from({ length: STEPS }, (_, i) => step(`s${i}`, { kind: 'ssh', host: 'bench', command: cmd(i) }));
        await runSteps(ops.engine, steps);
      },
      fresh: async () => {
        for (let i = 0; i < STEPS; i++) expectOut(await ssh([...base, target, cmd(i)]), `step-${i}`);
      },
      controlmaster: async () => {
        const path = join(sshd.dir, `cm-${trial++}`);
        const cm = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${path}`, '-o', 'ControlPersist=60'];
        for (let i = 0; i < STEPS; i++) expectOut(await ssh([...base, ...cm, target, cmd(i)]), `step-${i}`);
        await ssh([...base, ...cm, '-O', 'exit', target]).catch(() => undefined);
        rmSync(path, { force: true });
      },
    };
    log(`${rounds} trials of ${STEPS} steps each: opsroom (pooled), fresh ssh, ssh with ControlMaster`);
    const t = await interleave(variants, rounds, smoke ? 0 : 1);
    const [o, f, c] = [median(t.opsroom), median(t.fresh), median(t.controlmaster)];
    log(`opsroom ${medianSpread(t.opsroom)}; fresh ${medianSpread(t.fresh)}; controlmaster ${medianSpread(t.controlmaster)}`);
    const data = { opsroomMs: t.opsroom, freshMs: t.fresh, controlMasterMs: t.controlmaster, steps: STEPS, rounds };
    return [
      { key: 'ssh.pooled_vs_fresh_ratio', value: round(o / f), detail: `opsroom ${STEPS} steps ${medianSpread(t.opsroom)} / ${STEPS} fresh ssh ${medianSpread(t.fresh)}`, data },
      { key: 'ssh.pooled_vs_controlmaster_ratio', value: round(o / c), detail: `opsroom ${fmt(o)} ms / ssh with ControlMaster ${medianSpread(t.controlmaster)} (${STEPS} steps, connection setup included in both; as ${who})` },
    ];
  } finally {
    await ops.close().catch(() => undefined);
    await sshd.stop();
    login.remove();
  }
}

function expectOut(out: string, want: string) {
  if (out.trim() !== want) throw new Error(`ssh printed ${JSON.stringify(out.slice(0, 200))}, expected ${want}`);
}

function ssh(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ssh exit ${code}: ${err.slice(0, 500)}`))));
  });
}
