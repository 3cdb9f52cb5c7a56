/**
 * A real Redis for tests: redis-server on a free port with its own data folder.
 *
 *   import { redisBinaries, startRedis } from '../support/peers/redis.js';
 *   const hasRedis = redisBinaries() !== undefined;     // warns loudly; throws when CI=true
 *   const r = await startRedis();                        // r.port, r.dir, r.cli('PING'), r.stop()
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL_HINT = 'install Redis (apt-get install redis-server, or scripts/install-peers.sh)';

/** The folder holding redis-server and redis-cli, or undefined (after a loud warning). Throws under CI. */
export function redisBinaries(): string | undefined {
  const found = ['/usr/bin', '/usr/local/bin'].find((d) => existsSync(join(d, 'redis-server')) && existsSync(join(d, 'redis-cli')));
  if (found) return found;
  const message = `redis-server and redis-cli not found: ${INSTALL_HINT}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n*** SKIPPING Redis tests: ${message} ***\n`);
  return undefined;
}

export interface TestRedis {
  port: number;
  /** The data folder (dump.rdb lives here). */
  dir: string;
  /** Runs redis-cli against this server. */
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Waits for the server process to end (after SHUTDOWN), without removing its folder. */
  exited(): Promise<void>;
  /** Stops the server and removes its folder (unless the folder was given). */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server; `dir` reuses a data folder (its dump.rdb is loaded), `config` adds directives. */
export async function startRedis(opts: { dir?: string; config?: string[] } = {}): Promise<TestRedis> {
  const bin = redisBinaries();
  if (!bin) throw new Error(`Redis not found: ${INSTALL_HINT}`);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'opsroom-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'no', '--daemonize', 'no', ...(opts.config ?? [])];
  const child: ChildProcess = spawn(join(bin, 'redis-server'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cli = (...a: string[]) => {
    const r = spawnSync(join(bin, 'redis-cli'), ['-p', String(port), ...a], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  for (let i = 0; ; i++) {
    if (cli('PING').stdout.trim() === 'PONG') break;
    if (child.exitCode !== null || i > 200) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    port,
    dir,
    cli,
    exited: () => ended,
    stop: async () => {
      process.off('exit', kill);
      kill();
      await ended;
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
