/**
 * A private sshd for tests: `sshd -D -f cfg` on 127.0.0.1 and a free port, with a throwaway ed25519
 * host key and user key under a `mktemp -d` folder. It runs as the current user (root here), so
 * commands run on this machine: tests can check processes and files directly.
 *
 *   const sshd = await startSshd();
 *   // { host: '127.0.0.1', port, user, keyPath, hostKeyLine: '[127.0.0.1]:port ssh-ed25519 AAAA…' }
 *   ...
 *   await sshd.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface SshdPeer {
  host: string;
  port: number;
  user: string;
  /** Private key (OpenSSH format) accepted by this sshd. */
  keyPath: string;
  /** The host key as `ssh-keyscan` prints it: `[127.0.0.1]:PORT ssh-ed25519 AAAA…`. */
  hostKeyLine: string;
  /** A valid-looking host key line for a different key: for "changed host key" tests. */
  wrongHostKeyLine: string;
  dir: string;
  stop(): Promise<void>;
}

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Whether sshd can be started here; loud skip on a laptop, error under CI. */
export function sshdAvailable(): boolean {
  const missing = [
    !SSHD && 'sshd (apt-get install openssh-server)',
    !has('ssh-keygen') && 'ssh-keygen (apt-get install openssh-client)',
    !has('ssh-keyscan') && 'ssh-keyscan (apt-get install openssh-client)',
  ].filter(Boolean);
  if (missing.length === 0) return true;
  const msg = `SSH peer missing: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING SSH tests: ${msg} ***\n`);
  return false;
}

/**
 * `config`: more sshd_config lines (e.g. `SetEnv KUBECONFIG=…` for the sessions). `user`: who logs
 * in (default the current user; another one needs sshd running as root).
 */
export async function startSshd(options: { config?: string[]; user?: string } = {}): Promise<SshdPeer> {
  if (!SSHD) throw new Error('sshd is not installed (scripts/install-peers.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-sshd-'));
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'opsroom-test', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  };
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  keygen(join(dir, 'other_key'));
  copyFileSync(join(dir, 'user_key.pub'), join(dir, 'authorized_keys'));
  // sshd reads authorized_keys as the user logging in.
  if (options.user) chmodSync(dir, 0o755);
  // sshd insists on its privilege separation directory, even when it never uses it.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });

  const user = options.user ?? userInfo().username;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'StrictModes no', 'UsePAM no', `AllowUsers ${user}`,
      'MaxSessions 50', 'MaxStartups 50', (process.env.OPSROOM_SSHD_LOGLEVEL ? `LogLevel ${process.env.OPSROOM_SSHD_LOGLEVEL}` : 'LogLevel ERROR'), ...(options.config ?? []), '',
    ].join('\n'));
    const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); if (process.env.OPSROOM_SSHD_LOGLEVEL) process.stderr.write(d); });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    // Killed by a signal, the test process never runs 'exit' handlers: a watchdog stops sshd then.
    const watchdog = spawn('sh', ['-c', 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill "$2"; rm -rf "$3"',
      'watchdog', String(process.pid), String(child.pid), dir], { detached: true, stdio: 'ignore' });
    watchdog.unref();
    const hostKeyLine = await waitForKeyscan(port, child);
    if (!hostKeyLine) {
      process.removeListener('exit', killOnExit);
      watchdog.kill('SIGKILL');
      await stopProcess(child);
      if (attempt < 3 && /Address already in use/i.test(log)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on 127.0.0.1:${port}:\n${log}`);
    }
    const other = readFileSync(join(dir, 'other_key.pub'), 'utf8').trim().split(/\s+/);
    return {
      host: '127.0.0.1', port, user, dir,
      keyPath: join(dir, 'user_key'),
      hostKeyLine,
      wrongHostKeyLine: `[127.0.0.1]:${port} ${other[0]} ${other[1]}`,
      async stop() {
        process.removeListener('exit', killOnExit);
        watchdog.kill('SIGKILL');
        await stopProcess(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

async function waitForKeyscan(port: number, child: ChildProcess): Promise<string | null> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return null;
    const r = await run('ssh-keyscan', ['-T', '2', '-t', 'ed25519', '-p', String(port), '127.0.0.1']);
    const line = r.split('\n').find((l) => /\sssh-ed25519\s/.test(l) && !l.startsWith('#'));
    if (line) return line.trim();
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', () => resolve(out));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
