/**
 * The bff checks fixed against seed 004, run over SSH against a real sshd on this machine as the run
 * engine runs them: each passes when the thing it checks is healthy and fails when it is broken,
 * where the seed's own command passed either way. `dmesg` is a stand-in (an OOM kill cannot be
 * caused on purpose here); processes are real ones started under the names the checks look for.
 * The sudo checks use the real sudo: root may restart; the same commands run with runuser as a
 * user without a sudoers rule (a locked system account, so not one sshd lets in) may not.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import type { ResolvedCommand } from '#core/runs/step-runner.js';
import { type CompositeStepRunner, runnerFromInventory } from '#executors/index.js';
import { type RemoteHost, remoteHostAvailable, startRemoteHost } from '../support/peers/remote-host.js';
import { type SshdPeer, sshdAvailable, startSshd } from '../support/peers/sshd.js';
import { CONFIG, INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const ready = sshdAvailable();
const LOG_DIR = '/var/log/bff';

/** sudo installed, and a user other than root with a shell: the sudo checks need both (and root). */
function sudoUser(): string | undefined {
  if (!ready || process.getuid?.() !== 0) return undefined;
  if (spawnSync('sudo', ['-V'], { stdio: 'ignore' }).status !== 0) {
    const msg = 'sudo missing (apt-get install sudo) — run scripts/install-peers.sh';
    if (process.env.CI === 'true') throw new Error(msg);
    console.warn(`\n*** SKIPPING the bff sudo checks: ${msg} ***\n`);
    return undefined;
  }
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const user = passwd.find((f) => f.length > 6 && Number(f[2]) >= 1000 && Number(f[2]) < 65534 && /\/(ba|da)?sh$/.test(f[6]))?.[0];
  if (!user) console.warn('\n*** SKIPPING the bff sudo refusal checks: no user other than root with a shell ***\n');
  return user;
}
const SUDO_USER = sudoUser();

describe.skipIf(!ready)('bff host checks over SSH', () => {
  let sshd: SshdPeer;
  let dir: string;
  let bin: string;
  let inventory: Inventory;
  let runner: CompositeStepRunner;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-bff-checks-'));
    bin = join(dir, 'bin');
    mkdirSync(bin);
    // dmesg stand-in: prints dmesg.out and exits with dmesg.rc (both written by the tests).
    writeFileSync(join(bin, 'dmesg'), `#!/bin/sh\ncat "${dir}/dmesg.out"\nexit "$(cat "${dir}/dmesg.rc")"\n`);
    chmodSync(join(bin, 'dmesg'), 0o755);
    sshd = await startSshd({ config: [`SetEnv PATH=${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`] });
    const inv = parse(readFileSync(INVENTORY, 'utf8'));
    const host = { address: sshd.host, port: sshd.port, user: sshd.user, key_path: sshd.keyPath, host_key: sshd.hostKeyLine.split(' ').slice(1).join(' ') };
    inv.systems.bff.hosts['bff-host'] = { ...inv.systems.bff.hosts['bff-host'], ...host };
    writeFileSync(join(dir, 'inventory.yml'), stringify(inv));
    const loaded = await loadInventory(join(dir, 'inventory.yml'));
    expect(loaded.errors).toEqual([]);
    inventory = loaded.inventory!;
    runner = runnerFromInventory(inventory);
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await runner?.close();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exec = async (command: ResolvedCommand) =>
    runner.run(command, { timeoutMs: 30_000, signal: new AbortController().signal, onOutput: () => {} });

  /** Runs one step of a shipped runbook as the run engine does; its state and output. */
  async function run(id: string, stepId: string, params: Record<string, string> = {}) {
    const config = loadFileConfig(CONFIG);
    const { runbooks, errors } = await loadRunbooks(`${RUNBOOKS}/${id}.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    expect(errors).toEqual([]);
    const step = renderRunbook(runbooks[0], params, {}, inventory).steps.find((s) => s.id === stepId)!;
    expect(step.command.kind, `${id}#${stepId}`).toBe('ssh');
    const outcome = await exec(step.command);
    return { state: judge(step, outcome).state, output: outcome.output };
  }
  /** A real process whose command line reads `argv0` (bash exec -a), as ps and pgrep see it. */
  function processNamed(argv0: string): ChildProcess {
    const c = spawn('bash', ['-c', `exec -a "${argv0}" sleep 120`], { stdio: 'ignore' });
    children.push(c);
    return c;
  }
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 20));
  };
  const running = (pattern: string) => spawnSync('pgrep', ['-f', pattern]).status === 0;

  it.skipIf(!SUDO_USER)('the sudo check passes for a user sudo lets restart the service (root)', async () => {
    const r = await run('bff/redis-down', 'sudo-check');
    expect(r.state, r.output).toBe('succeeded');
    expect(r.output).toContain('systemctl restart redis');
  });

  it.skipIf(!SUDO_USER).each([['bff/redis-down', 'sudo-check'], ['bff/redis-down', 'restart'], ['bff/incident-response', 'sudo-check'], ['bff/celery-workers-stuck', 'restart']])(
    '%s#%s fails at once with sudo\'s reason for a user without a sudoers rule',
    async (id, stepId) => {
      const config = loadFileConfig(CONFIG);
      const { runbooks } = await loadRunbooks(`${RUNBOOKS}/${id}.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
      const step = renderRunbook(runbooks[0], id === 'bff/incident-response' ? { previous_commit: 'abc1234' } : {}, {}, inventory).steps.find((s) => s.id === stepId)!;
      if (step.command.kind !== 'ssh') throw new Error(`${id}#${stepId} is not an ssh step`);
      const quoted = `'${step.command.command.replaceAll("'", "'\\''")}'`;
      const outcome = await exec({ kind: 'ssh', host: 'bff-host', command: `runuser -u ${SUDO_USER} -- sh -c ${quoted}` });
      expect(judge(step, outcome).state).toBe('failed');
      expect(outcome.timedOut).toBeFalsy();
      expect(outcome.output).toContain('a password is required');
    },
  );

  it('daily health check: the error count passes on a clean log and fails with errors or without the log', async (ctx) => {
    if (existsSync(LOG_DIR)) {
      console.warn(`\n*** SKIPPING the error-count check: ${LOG_DIR} exists on this machine ***\n`);
      return ctx.skip();
    }
    try {
      expect((await run('bff/daily-health-check', 'errors')).state).toBe('failed');
      mkdirSync(LOG_DIR);
      writeFileSync(join(LOG_DIR, 'application.log'), 'INFO started\nINFO request ok\n');
      const clean = await run('bff/daily-health-check', 'errors');
      expect(clean.state, clean.output).toBe('succeeded');
      expect(clean.output).toContain('Errors: 0');
      writeFileSync(join(LOG_DIR, 'application.log'), 'INFO started\nERROR db timeout\nERROR db timeout\n');
      const dirty = await run('bff/daily-health-check', 'errors');
      expect(dirty.state).toBe('failed');
      expect(dirty.output).toContain('Errors: 2');
    } finally {
      rmSync(LOG_DIR, { recursive: true, force: true });
    }
  });

  it('memory leak: the OOM check passes without kills, fails showing them, and fails when dmesg cannot be read', async () => {
    const dmesg = (out: string, rc: number) => {
      writeFileSync(join(dir, 'dmesg.out'), out);
      writeFileSync(join(dir, 'dmesg.rc'), String(rc));
    };
    dmesg('[  1.0] Linux version 6.1\n[  2.0] eth0: link up\n', 0);
    expect((await run('bff/memory-leak', 'oom')).state).toBe('succeeded');
    dmesg('[  1.0] Linux version 6.1\n[ 99.0] Out of memory: Killed process 4242 (python) total-vm:2048kB\n', 0);
    const oom = await run('bff/memory-leak', 'oom');
    expect(oom.state).toBe('failed');
    expect(oom.output).toContain('Killed process 4242');
    dmesg('dmesg: read kernel buffer failed: Operation not permitted\n', 1);
    expect((await run('bff/memory-leak', 'oom')).state).toBe('failed');
  });

  it('incident response: the process checks fail when nothing runs, unlike the seed\'s ps aux | grep', async (ctx) => {
    if (running('[c]elery')) {
      console.warn('\n*** SKIPPING the process check: a celery process runs on this machine ***\n');
      return ctx.skip();
    }
    const params = { previous_commit: 'abc1234' };
    // The seed's command matches its own grep: it passes with no celery at all.
    expect((await exec({ kind: 'ssh', host: 'bff-host', command: 'ps aux | grep celery' })).exitCode).toBe(0);
    expect((await run('bff/incident-response', 'ps-celery', params)).state).toBe('failed');
    const worker = processNamed('celery -A config worker');
    await until(() => running('[c]elery -A config worker'));
    const found = await run('bff/incident-response', 'ps-celery', params);
    expect(found.state, found.output).toBe('succeeded');
    expect(found.output).toContain('celery -A config worker');
    worker.kill('SIGKILL');
  });

  it('beat stuck: the Beat process check fails without celery beat and passes with it', async (ctx) => {
    if (running('[c]elery.* beat')) return ctx.skip();
    const params = { app_dir: '/srv/bff' };
    expect((await run('bff/celery-beat-stuck', 'beat-process', params)).state).toBe('failed');
    const worker = processNamed('celery -A config worker');
    await until(() => running('[c]elery -A config worker'));
    expect((await run('bff/celery-beat-stuck', 'beat-process', params)).state).toBe('failed');
    const beat = processNamed('celery -A config beat');
    await until(() => running('[c]elery -A config beat'));
    const found = await run('bff/celery-beat-stuck', 'beat-process', params);
    expect(found.state, found.output).toBe('succeeded');
    expect(found.output).toContain('celery -A config beat');
    worker.kill('SIGKILL');
    beat.kill('SIGKILL');
  });
});

/** Ports are checked on a host of its own (a network namespace): this machine's ports are shared. */
describe.skipIf(!remoteHostAvailable())('bff port checks on a host of its own', () => {
  let remote: RemoteHost;
  let dir: string;
  let inventory: Inventory;
  let runner: CompositeStepRunner;

  beforeAll(async () => {
    remote = await startRemoteHost();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-bff-ports-'));
    const inv = parse(readFileSync(INVENTORY, 'utf8'));
    inv.systems.bff.hosts['bff-host'] = { ...inv.systems.bff.hosts['bff-host'], address: '127.0.0.1', port: remote.port, user: remote.user, key_path: remote.keyPath, host_key: remote.hostKeyLine };
    writeFileSync(join(dir, 'inventory.yml'), stringify(inv));
    inventory = (await loadInventory(join(dir, 'inventory.yml'))).inventory!;
    runner = runnerFromInventory(inventory);
  }, 60_000);
  afterAll(async () => {
    await runner?.close();
    await remote?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('health-check#health asks the API on the bff host (localhost:8000 there), not on opsroom\'s machine', async () => {
    const config = loadFileConfig(CONFIG);
    const { runbooks } = await loadRunbooks(`${RUNBOOKS}/bff/health-check.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    const step = renderRunbook(runbooks[0], {}, {}, inventory).steps.find((s) => s.id === 'health')!;
    const check = async () => judge(step, await runner.run(step.command, { timeoutMs: 20_000, signal: new AbortController().signal, onOutput: () => {} })).state;
    expect(await check()).toBe('failed');
    const api = remote.exec(['node', '-e', `require('http').createServer((q, r) => { r.statusCode = q.url === '/health/' ? 200 : 404; r.end('ok'); }).listen(8000, '127.0.0.1', () => console.log('up'))`]);
    await new Promise<void>((r) => api.stdout!.once('data', () => r()));
    try {
      expect(await check()).toBe('succeeded');
    } finally {
      api.kill('SIGKILL');
    }
  });

  it.each([['port-web', 8000], ['port-postgres', 5432], ['port-redis', 6379]] as const)('incident-response#%s fails with nothing on :%i and passes with a listener', async (stepId, port) => {
    const config = loadFileConfig(CONFIG);
    const { runbooks } = await loadRunbooks(`${RUNBOOKS}/bff/incident-response.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    const step = renderRunbook(runbooks[0], { previous_commit: 'abc1234' }, {}, inventory).steps.find((s) => s.id === stepId)!;
    const check = async () => {
      const outcome = await runner.run(step.command, { timeoutMs: 20_000, signal: new AbortController().signal, onOutput: () => {} });
      return { state: judge(step, outcome).state, output: outcome.output };
    };
    expect((await check()).state).toBe('failed');
    const listener = remote.exec(['node', '-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`]);
    await new Promise<void>((r) => listener.stdout!.once('data', () => r()));
    try {
      const r = await check();
      expect(r.state, r.output).toBe('succeeded');
      expect(r.output).toContain(`127.0.0.1:${port} `);
    } finally {
      listener.kill('SIGKILL');
    }
  });
});
