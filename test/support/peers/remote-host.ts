/**
 * A "remote host" on this machine: a network namespace of its own (only its loopback, so what
 * listens there cannot be reached from opsroom's namespace) with an sshd inside it. opsroom reaches
 * that sshd only through a relay on 127.0.0.1:PORT here, which runs `sshd -i` inside the namespace
 * for each connection. Root is needed (ip netns).
 *
 *   const remote = await startRemoteHost();
 *   remote.exec(['node', 'server.mjs']);        // a process inside the namespace
 *   // inventory host: { address: '127.0.0.1', port: remote.port, user: 'root', key_path: remote.keyPath, host_key: remote.hostKeyLine }
 *   await remote.stop();
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RemoteHost {
  netns: string;
  port: number;
  user: string;
  keyPath: string;
  /** `ssh-ed25519 AAAA…` of the sshd inside. */
  hostKeyLine: string;
  /** Another valid key line: a wrong pin. */
  wrongHostKeyLine: string;
  exec(argv: string[]): ChildProcess;
  stop(): Promise<void>;
}

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => spawnSync('test', ['-x', p]).status === 0);

export function remoteHostAvailable(): boolean {
  const ok = !!SSHD && process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
  if (ok) return true;
  const msg = 'a remote host needs root, iproute2 (ip netns) and openssh-server — run scripts/install-peers.sh';
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING remote-host tests: ${msg} ***\n`);
  return false;
}

export async function startRemoteHost(): Promise<RemoteHost> {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-remote-'));
  const netns = `opsroom-remote-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const sh = (args: string[]) => {
    const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  };
  sh(['ip', 'netns', 'add', netns]);
  sh(['ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
  for (const k of ['host_key', 'user_key', 'other_key']) sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'opsroom-test', '-f', join(dir, k)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  writeFileSync(join(dir, 'sshd_config'), [
    `HostKey ${join(dir, 'host_key')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'StrictModes no', 'UsePAM no', 'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes', 'LogLevel ERROR', '',
  ].join('\n'));
  const sessions = new Set<ChildProcess>();
  const relay: Server = createServer((sock) => {
    const p = spawn('nsenter', [`--net=/run/netns/${netns}`, SSHD!, '-i', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['pipe', 'pipe', 'ignore'] });
    sessions.add(p);
    sock.pipe(p.stdin!);
    p.stdout!.pipe(sock);
    const end = () => { sock.destroy(); p.kill('SIGKILL'); sessions.delete(p); };
    sock.on('close', end).on('error', end);
    // sshd gone first: the relay's writes into its pipes fail (EPIPE); the session just ends.
    p.stdin!.on('error', end);
    p.stdout!.on('error', end);
    p.on('exit', end);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
  const port = (relay.address() as { port: number }).port;
  const line = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const children = new Set<ChildProcess>();
  return {
    netns, port, user: 'root', keyPath: join(dir, 'user_key'),
    hostKeyLine: line('host_key.pub'), wrongHostKeyLine: line('other_key.pub'),
    exec(argv) {
      const c = spawn('nsenter', [`--net=/run/netns/${netns}`, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(c);
      return c;
    },
    async stop() {
      for (const c of [...children, ...sessions]) c.kill('SIGKILL');
      await new Promise<void>((r) => relay.close(() => r()));
      spawnSync('ip', ['netns', 'del', netns]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
