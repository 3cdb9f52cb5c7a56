/**
 * The Docker engine the demo runs on: DOCKER_HOST when it is set, otherwise a private dockerd
 * (no bridge, no iptables; containers use host networking) started in the background and
 * recorded in the state file so later commands find it and `down` stops it.
 */
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Docker from 'dockerode';

export interface PrivateEngine {
  dir: string;
  socketPath: string;
  pid: number;
}

const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find(existsSync);

export async function ping(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts dockerd in a new folder, or again in `dir` (an engine that died: its containers' shims
 * may still run, and dockerd takes them back so they can be removed properly).
 */
export async function startPrivateEngine(dir?: string, netns?: string): Promise<PrivateEngine> {
  if (!DOCKERD) throw new Error('dockerd is not installed: apt-get install docker.io (scripts/install-peers.sh), or set DOCKER_HOST');
  if (process.getuid?.() !== 0) throw new Error('starting a private dockerd needs root; run as root or set DOCKER_HOST to an engine you can use');
  dir ??= mkdtempSync(join(tmpdir(), 'opsroom-demo-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  // In a network namespace (tests: a "remote" host whose loopback opsroom cannot reach), nsenter execs dockerd there.
  const [cmd, ...pre] = netns ? ['nsenter', `--net=/run/netns/${netns}`, DOCKERD] : [DOCKERD];
  const child = spawn(cmd, [...pre,
    '--iptables=false', '--bridge=none', '-H', `unix://${socketPath}`,
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
  ], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const docker = new Docker({ socketPath });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`dockerd exited at start; see ${join(dir, 'dockerd.log')}`);
    if (await ping(docker)) return { dir, socketPath, pid: child.pid! };
    await new Promise((r) => setTimeout(r, 100));
  }
  // Not left running: nothing records it, so nothing would stop it.
  child.kill('SIGKILL');
  throw new Error(`dockerd did not answer within 30 s; see ${join(dir, 'dockerd.log')}`);
}

/** Present and not a zombie (the CLI that started dockerd may still be its parent). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Stops a private engine (it stops its containers first) and deletes its folder. */
export async function stopPrivateEngine(e: PrivateEngine): Promise<void> {
  // Only this engine's dockerd: after a reboot the pid may belong to something else.
  const alive = () => isRunning(e.pid) && cmdline(e.pid).includes(e.socketPath);
  if (alive()) {
    process.kill(e.pid, 'SIGTERM');
    for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(e.pid, 'SIGKILL');
  }
  // Mounts dockerd left behind (it normally removes them) would make rm fail.
  spawnSync('sh', ['-c', `awk -v d="$1" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l`, 'x', e.dir]);
  rmSync(e.dir, { recursive: true, force: true });
}
