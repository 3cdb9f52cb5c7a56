/**
 * Demo images, built here and never pulled: a root filesystem with static busybox, the service's
 * Debian binaries and the libraries `ldd` says they need, then `docker import`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { ImageKind } from './services.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PG = '/usr/lib/postgresql/15';
/** uid/gid of `postgres` inside the postgres image. */
export const PG_UID = 999;
const VERSION = '5';

const imageName = (kind: ImageKind) => `opsroom-demo/${kind}:${VERSION}`;

/** What each image needs from this machine; a clear message names the package when it is missing. */
const NEEDS: Record<ImageKind, Array<[string, string]>> = {
  web: [['/usr/bin/node', 'nodejs']],
  redis: [['/usr/bin/redis-server', 'redis-server'], ['/usr/bin/redis-cli', 'redis-tools']],
  postgres: [[`${PG}/bin/postgres`, 'postgresql-15']],
  prometheus: [['/usr/bin/prometheus', 'prometheus']],
  alertmanager: [['/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager']],
};

export function missingFor(kind: ImageKind): string[] {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].some(existsSync) ? [] : ['busybox-static'];
  return [...busybox, ...NEEDS[kind].filter(([p]) => !existsSync(p)).map(([, pkg]) => pkg)];
}

export async function ensureImage(docker: Docker, kind: ImageKind): Promise<string> {
  const name = imageName(kind);
  try {
    await docker.getImage(name).inspect();
    return name;
  } catch { /* build it */ }
  const missing = missingFor(kind);
  if (missing.length) throw new Error(`Cannot build ${name}: install ${missing.join(', ')} (scripts/install-peers.sh)`);
  const cached = cachedTar(kind);
  if (cached && existsSync(cached)) {
    await importTar(docker, createReadStream(cached), name, kind);
    return name;
  }
  const root = mkdtempSync(join(tmpdir(), `opsroom-demo-${kind}-`));
  try {
    base(root);
    if (kind === 'web') web(root);
    if (kind === 'redis') redis(root);
    if (kind === 'postgres') postgres(root);
    if (kind === 'prometheus') {
      monitoring(root, '/usr/bin/prometheus');
      if (existsSync('/usr/share/prometheus/web')) copyTree('/usr/share/prometheus/web', join(root, 'usr/share/prometheus/web'));
    }
    if (kind === 'alertmanager') {
      monitoring(root, '/usr/bin/prometheus-alertmanager');
      copyTree('/usr/share/prometheus/alertmanager', join(root, 'usr/share/prometheus/alertmanager'));
    }
    if (cached) {
      saveTar(root, cached);
      await importTar(docker, createReadStream(cached), name, kind);
    } else {
      const tar = spawn('tar', ['--numeric-owner', '-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await importTar(docker, tar.stdout, name, kind);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return name;
}

function base(root: string): void {
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'run', 'usr/bin', 'usr/local/bin', 'demo']) mkdirSync(join(root, d), { recursive: true });
  for (const d of ['tmp', 'run/demo']) { mkdirSync(join(root, d), { recursive: true }); chmodSync(join(root, d), 0o1777); }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync)!;
  copyFileSync(busybox, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/sh\npostgres:x:${PG_UID}:${PG_UID}:PostgreSQL:/var/lib/postgresql:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n`);
  writeFileSync(join(root, 'etc/group'), `root:x:0:\npostgres:x:${PG_UID}:\nnogroup:x:65534:\n`);
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  install(root, join(HERE, 'rootfs/supervise.sh'), '/demo/supervise.sh', 0o755);
}

function web(root: string): void {
  withLibraries(root, ['/usr/bin/node']);
  install(root, join(HERE, 'rootfs/web-server.mjs'), '/demo/web-server.mjs', 0o644);
  install(root, join(HERE, 'rootfs/curl'), '/usr/local/bin/curl', 0o755);
}

function redis(root: string): void {
  withLibraries(root, ['/usr/bin/redis-server']);
  install(root, '/usr/bin/redis-cli', '/usr/lib/demo/redis-cli', 0o755);
  withLibraries(root, ['/usr/bin/redis-cli'], false);
  install(root, join(HERE, 'rootfs/redis-cli'), '/usr/local/bin/redis-cli', 0o755);
}

function postgres(root: string): void {
  // Not the JIT: llvmjit pulls in libLLVM (about 100 MB); the server runs with jit=off.
  const files = [...walk(`${PG}/bin`), ...walk(`${PG}/lib`)].filter((f) => !/\/(bitcode\/|llvmjit)/.test(f));
  withLibraries(root, files);
  copyTree('/usr/share/postgresql/15', join(root, 'usr/share/postgresql/15'));
  copyTree('/usr/share/zoneinfo', join(root, 'usr/share/zoneinfo'));
  install(root, join(HERE, 'rootfs/postgres.sh'), '/demo/postgres.sh', 0o755);
  for (const d of ['var/lib/postgresql', 'var/run/postgresql']) {
    mkdirSync(join(root, d), { recursive: true });
    chownSync(join(root, d), PG_UID, PG_UID);
  }
}

/** Real Prometheus or Alertmanager: the Debian binary and the launcher that writes its config. */
function monitoring(root: string, binary: string): void {
  withLibraries(root, [binary]);
  install(root, join(HERE, 'rootfs/prometheus.sh'), '/demo/prometheus.sh', 0o755);
}

/** Copies each file to the same path under root, plus every library ldd lists for it. */
function withLibraries(root: string, files: string[], copySelf = true): void {
  const libs = new Set<string>();
  for (const f of files) {
    if (copySelf) install(root, f, f, statSync(f).mode & 0o777);
    const out = spawnSync('ldd', [f], { encoding: 'utf8' }).stdout ?? '';
    for (const m of out.matchAll(/(?:=>\s*)?(\/[^\s)]+)\s+\(0x/g)) libs.add(m[1]);
  }
  for (const lib of libs) install(root, lib, lib, 0o755);
}

function install(root: string, from: string, to: string, mode: number): void {
  const dest = join(root, to);
  mkdirSync(dirname(dest), { recursive: true });
  if (!existsSync(dest)) copyFileSync(from, dest);
  chmodSync(dest, mode);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() || e.isSymbolicLink()) out.push(p);
  }
  return out;
}

function copyTree(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const r = spawnSync('cp', ['-rL', from, to]);
  if (r.status !== 0) throw new Error(`copying ${from}: ${r.stderr}`);
}

/**
 * With $OPSROOM_DEMO_IMAGE_CACHE set (the tests set it), the tarball of each built root is kept
 * there, named by a hash of what went into it (this code, demo/rootfs, the installed packages), so
 * a fresh engine imports it instead of building again.
 */
function cachedTar(kind: ImageKind): string | undefined {
  const dir = process.env.OPSROOM_DEMO_IMAGE_CACHE;
  if (!dir) return undefined;
  const hash = createHash('sha256').update(`${VERSION}\n${kind}\n`).update(readFileSync(fileURLToPath(import.meta.url)));
  const rootfs = join(HERE, 'rootfs');
  for (const f of readdirSync(rootfs).sort()) hash.update(f).update(readFileSync(join(rootfs, f)));
  for (const f of ['/var/lib/dpkg/status', ...NEEDS[kind].map(([p]) => p)]) {
    const s = statSync(f);
    hash.update(`${f} ${s.size} ${s.mtimeMs}\n`);
  }
  return join(dir, `${kind}-${hash.digest('hex').slice(0, 16)}.tar`);
}

/** Writes the tarball next to its final name and renames it, so a reader never sees half of it. */
function saveTar(root: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const kind = /^([a-z]+)-/.exec(basename(path))![1];
  for (const old of readdirSync(dirname(path))) {
    if (old.startsWith(`${kind}-`) && old.endsWith('.tar') && old !== basename(path)) rmSync(join(dirname(path), old), { force: true });
  }
  const partial = `${path}.${process.pid}.partial`;
  const r = spawnSync('tar', ['--numeric-owner', '-C', root, '-cf', partial, '.']);
  if (r.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`tar of the ${kind} image failed: ${r.stderr}`);
  }
  renameSync(partial, path);
}

async function importTar(docker: Docker, tar: NodeJS.ReadableStream, name: string, kind: ImageKind): Promise<void> {
  const [repo, tag] = name.split(':');
  const path = kind === 'postgres' ? `${PG}/bin:` : '';
  const progress = await docker.importImage(tar, {
    repo, tag,
    changes: [`ENV PATH=/usr/local/bin:${path}/usr/sbin:/usr/bin:/sbin:/bin`, 'LABEL opsroom.demo=1'],
  } as object);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}
