/**
 * A private Docker engine for tests: its own dockerd under a `mktemp -d` folder (socket, data-root,
 * exec-root, pidfile), no bridge and no iptables, and a busybox image built with `docker import`.
 *
 * Each caller gets its own dockerd (it starts in well under a second here), so test files that run
 * at the same time never share state. Always call `stop()` (afterAll): it removes the containers,
 * stops dockerd and deletes the folder.
 *
 *   const peer = await startDocker();
 *   const c = await peer.run({ project: 'shop', service: 'api', cmd: ['sleep', '600'] });
 *   ...
 *   await peer.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, copyFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export interface DockerPeer {
  socketPath: string;
  docker: Docker;
  /** `opsroom-busybox:test`: static busybox plus its applet links, PATH set. */
  image: string;
  /** Start a container labelled like a compose service, with `--network none`. */
  run(spec: RunSpec): Promise<Docker.Container>;
  stop(): Promise<void>;
}

interface RunSpec {
  name?: string;
  project?: string;
  service?: string;
  cmd: string[];
  healthcheck?: { test: string[]; intervalMs?: number };
  network?: 'none' | 'host';
}

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));

/**
 * Whether a private dockerd can be started here. Missing programs: a loud warning on a laptop,
 * an error under CI (a missing peer there is a failure, never a skip).
 */
export function dockerAvailable(): boolean {
  const missing = [!DOCKERD && 'dockerd (apt-get install docker.io)', !BUSYBOX && 'busybox (apt-get install busybox-static)']
    .filter(Boolean);
  if (missing.length === 0) return true;
  const msg = `Docker peer missing: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING Docker tests: ${msg} ***\n`);
  return false;
}

export async function startDocker(): Promise<DockerPeer> {
  if (!DOCKERD || !BUSYBOX) throw new Error('dockerd or busybox is not installed (scripts/install-peers.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-dockerd-'));
  const socketPath = join(dir, 'docker.sock');
  const child = spawnDockerd(dir, socketPath);
  // If the test process exits without stop(): stop dockerd (it stops its containers) and clean up.
  const killOnExit = () => emergencyCleanup(child.pid, dir);
  process.once('exit', killOnExit);
  // If it is killed by a signal ('exit' never fires), a watchdog does the same.
  const watchdog = startWatchdog(child.pid, dir);
  const docker = new Docker({ socketPath });
  try {
    await waitForPing(docker, child, dir);
  } catch (e) {
    process.removeListener('exit', killOnExit);
    watchdog.kill('SIGKILL');
    emergencyCleanup(child.pid, dir);
    throw e;
  }
  const image = await importBusybox(docker, dir);

  const peer: DockerPeer = {
    socketPath,
    docker,
    image,
    async run(spec) {
      const labels: Record<string, string> = {};
      if (spec.project) labels['com.docker.compose.project'] = spec.project;
      if (spec.service) labels['com.docker.compose.service'] = spec.service;
      const c = await docker.createContainer({
        name: spec.name,
        Image: image,
        Cmd: spec.cmd,
        Labels: labels,
        Healthcheck: spec.healthcheck && {
          Test: spec.healthcheck.test,
          Interval: (spec.healthcheck.intervalMs ?? 1000) * 1e6,
          Timeout: 2e9,
          Retries: 1,
        },
        HostConfig: { NetworkMode: spec.network ?? 'none', Init: false },
        StopTimeout: 1,
      });
      await c.start();
      return c;
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      watchdog.kill('SIGKILL');
      try {
        const all = await docker.listContainers({ all: true });
        await Promise.all(all.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
      } catch { /* daemon already gone */ }
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return peer;
}

function spawnDockerd(dir: string, socketPath: string): ChildProcess {
  const args = [
    '--iptables=false', '--ip6tables=false', '--bridge=none',
    '-H', `unix://${socketPath}`,
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
  ];
  // overlay2 works on this machine; DOCKER_STORAGE_DRIVER=vfs is the escape hatch where it does not.
  if (process.env.OPSROOM_DOCKER_STORAGE_DRIVER) args.push('--storage-driver', process.env.OPSROOM_DOCKER_STORAGE_DRIVER);
  // ip6tables is a flag of newer engines only; drop it if this one does not know it.
  const help = spawnSync(DOCKERD!, ['--help'], { encoding: 'utf8' }).stdout ?? '';
  const finalArgs = help.includes('--ip6tables') ? args : args.filter((a) => a !== '--ip6tables=false');
  return spawn(DOCKERD!, finalArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function waitForPing(docker: Docker, child: ChildProcess, dir: string): Promise<void> {
  let log = '';
  child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  let exited = false;
  child.once('exit', () => { exited = true; });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`dockerd exited during start-up (${dir}):\n${log}`);
    try {
      await docker.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`dockerd did not answer /_ping within 30 s:\n${log}`);
}

/** Root filesystem: /bin/busybox plus one symlink per applet, then `docker import`. */
async function importBusybox(docker: Docker, dir: string): Promise<string> {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'tmp', 'proc', 'sys', 'dev', 'etc']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(BUSYBOX!, join(root, 'bin', 'busybox'));
  const applets = spawnSync(BUSYBOX!, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') symlinkSync('busybox', join(root, 'bin', a));
  const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const repo = 'opsroom-busybox';
  const progress = await docker.importImage(tar.stdout!, {
    repo, tag: 'test', changes: ['ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
  } as object);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve()));
  });
  rmSync(root, { recursive: true, force: true });
  return `${repo}:test`;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const CLEANUP = `
    pid="$1"; dir="$2"
    if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
      alive() { [ -e "/proc/$pid" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; }
      i=0; while alive && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
      kill -KILL "$pid" 2>/dev/null
    fi
    awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
    rm -rf "$dir"`;

/** A detached shell that cleans up once this test process is gone, however it ended. */
function startWatchdog(pid: number | undefined, dir: string): ChildProcess {
  const script = `while kill -0 "$3" 2>/dev/null; do sleep 1; done; ${CLEANUP}`;
  const w = spawn('sh', ['-c', script, 'watchdog', String(pid ?? ''), dir, String(process.pid)], { detached: true, stdio: 'ignore' });
  w.unref();
  return w;
}

/** Synchronous (usable in an 'exit' handler): TERM dockerd, wait, unmount what is left, delete. */
function emergencyCleanup(pid: number | undefined, dir: string): void {
  spawnSync('sh', ['-c', CLEANUP, 'cleanup', String(pid ?? ''), dir], { stdio: 'ignore' });
}
