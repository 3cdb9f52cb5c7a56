import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedCommand, RunOptions } from '#core/runs/step-runner.js';
import { SshStepRunner, type SshInventory } from '#executors/ssh/ssh-step-runner.js';
import { freePort, sshdAvailable, startSshd, type SshdPeer } from '../support/peers/sshd.js';

const opts = (over: Partial<RunOptions> = {}): RunOptions & { chunks: string[] } => {
  const chunks: string[] = [];
  return { timeoutMs: 20_000, signal: new AbortController().signal, onOutput: (c) => chunks.push(c), chunks, ...over };
};
const ssh = (host: string, command: string): ResolvedCommand => ({ kind: 'ssh', host, command });

/** Alive = present in /proc and not a zombie (sshd runs on this machine). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
const fingerprintOf = (line: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-fp-'));
  try {
    const file = join(dir, 'k.pub');
    execFileSync('sh', ['-c', 'printf "%s\\n" "$1" > "$2"', 'fp', line.split(' ').slice(1).join(' '), file]);
    return execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe.skipIf(!sshdAvailable())('SshStepRunner against a real sshd', () => {
  let peer: SshdPeer;
  let runner: SshStepRunner;
  /** Without the remote `timeout` backstop: only our kill can end a command early. */
  let bare: SshStepRunner;
  let work: string;
  let silent: Server;
  let silentPort: number;
  let closedPort: number;

  beforeAll(async () => {
    peer = await startSshd();
    work = mkdtempSync(join(tmpdir(), 'opsroom-ssh-work-'));
    silent = createServer(() => { /* accepts, never speaks SSH */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
    closedPort = await freePort();
    const base = { address: peer.host, port: peer.port, user: peer.user, keyPath: peer.keyPath };
    const inventory: SshInventory = {
      web: { ...base, hostKey: peer.hostKeyLine },
      impostor: { ...base, hostKey: peer.wrongHostKeyLine },
      unpinned: { ...base, hostKey: '' },
      keyless: { ...base, keyPath: `${peer.keyPath}.missing`, hostKey: peer.hostKeyLine },
      refused: { ...base, port: closedPort, hostKey: peer.hostKeyLine },
      silent: { ...base, port: silentPort, hostKey: peer.hostKeyLine },
    };
    runner = new SshStepRunner(inventory, { readyTimeoutMs: 1500 });
    bare = new SshStepRunner(inventory, { remoteTimeout: false });
  });
  afterAll(async () => {
    await runner?.close();
    await bare?.close();
    silent?.close();
    await peer?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs a command, streams stdout and stderr, reports the exit code', async () => {
    const o = opts();
    const r = await runner.run(ssh('web', 'echo hello; echo oops >&2; exit 4'), o);
    expect(r).toMatchObject({ exitCode: 4, timedOut: false });
    expect(r.output.split('\n').sort()).toEqual(['', 'hello', 'oops']);
    expect(o.chunks.join('')).toBe(r.output);
    expect((await runner.run(ssh('web', 'true'), opts())).exitCode).toBe(0);
  });

  it('runs the command text exactly as rendered (quotes survive the timeout wrapper)', async () => {
    const r = await runner.run(ssh('web', `printf '%s|' "it's" '$HOME' 'a"b' '\`id\`'`), opts());
    expect(r.output).toBe(`it's|$HOME|a"b|\`id\`|`);
  });

  it('reuses one pooled connection across steps', async () => {
    const a = await runner.run(ssh('web', 'echo $SSH_CONNECTION'), opts());
    const b = await runner.run(ssh('web', 'echo $SSH_CONNECTION'), opts());
    const [c, d] = await Promise.all([
      runner.run(ssh('web', 'echo $SSH_CONNECTION'), opts()),
      runner.run(ssh('web', 'echo $SSH_CONNECTION'), opts()),
    ]);
    expect(a.output).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\n$/);
    expect(new Set([a.output, b.output, c.output, d.output]).size).toBe(1);
  });

  it('reconnects when the connection was dropped by the server', async () => {
    const before = await runner.run(ssh('web', 'echo $SSH_CONNECTION; ps -o ppid= -p $PPID'), opts());
    const [conn, sessionPid] = before.output.trim().split('\n');
    // The parent of `timeout` is sshd's per-connection process: killing it drops the connection.
    process.kill(Number(sessionPid.trim()), 'SIGKILL');
    const after = await runner.run(ssh('web', 'echo $SSH_CONNECTION'), opts());
    expect(after).toMatchObject({ exitCode: 0 });
    expect(after.output.trim()).not.toBe(conn);
  });

  it('a timeout kills the remote command and its children', async () => {
    const cmd = `sleep 321 & echo $! > ${work}/child; echo $$ > ${work}/shell; echo started; wait`;
    const r = await bare.run(ssh('web', cmd), opts({ timeoutMs: 1000 }));
    expect(r).toMatchObject({ timedOut: true, exitCode: null, output: 'started\n' });
    const pids = [readFileSync(join(work, 'child'), 'utf8'), readFileSync(join(work, 'shell'), 'utf8')].map(Number);
    expect(pids.every((p) => p > 0)).toBe(true);
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((res) => setTimeout(res, 50));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('aborting kills the remote command', async () => {
    const ac = new AbortController();
    const file = join(work, 'abort-pid');
    const p = bare.run(ssh('web', `echo $$ > ${file}.tmp && mv ${file}.tmp ${file}; exec sleep 322`), opts({ signal: ac.signal }));
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((res) => setTimeout(res, 50));
    const pid = Number(readFileSync(file, 'utf8'));
    expect(alive(pid)).toBe(true);
    ac.abort();
    const r = await p;
    expect(r).toMatchObject({ exitCode: null, timedOut: false });
    expect(r.error).toMatch(/cancelled/);
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((res) => setTimeout(res, 50));
    expect(alive(pid)).toBe(false);
  });

  it('the remote timeout ends a command even when the connection is gone', async () => {
    const file = join(work, 'orphan-pid');
    const p = runner.run(ssh('web', `echo $$ > ${file}; echo $PPID > ${file}.tmp && mv ${file}.tmp ${file}.timeout; exec sleep 323`), opts({ timeoutMs: 1000 }));
    for (let i = 0; i < 100 && !existsSync(`${file}.timeout`); i++) await new Promise((res) => setTimeout(res, 20));
    const pid = Number(readFileSync(file, 'utf8'));
    // Drop the connection under the command: sshd's per-connection process is the parent of `timeout`.
    const stat = readFileSync(`/proc/${readFileSync(`${file}.timeout`, 'utf8').trim()}/stat`, 'utf8');
    process.kill(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), 'SIGKILL');
    await p;
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((res) => setTimeout(res, 50));
    expect(alive(pid)).toBe(false);
  });

  it('refuses a host whose key differs from the inventory, naming both fingerprints', async () => {
    const r = await runner.run(ssh('impostor', 'touch /tmp/should-not-run'), opts());
    expect(r.exitCode).toBeNull();
    const expected = fingerprintOf(peer.wrongHostKeyLine);
    const presented = fingerprintOf(peer.hostKeyLine);
    expect(expected).not.toBe(presented);
    expect(r.error).toBe(
      `Host key for "impostor" (127.0.0.1:${peer.port}) does not match the inventory: expected ssh-ed25519 ${expected}, ` +
        `presented ssh-ed25519 ${presented}. Refusing to connect.`,
    );
  });

  it('refuses hosts without a pinned key and hosts not in the inventory', async () => {
    expect((await runner.run(ssh('unpinned', 'true'), opts())).error).toMatch(/^No usable host key for "unpinned"/);
    expect((await runner.run(ssh('nowhere', 'true'), opts())).error).toBe('Unknown SSH host "nowhere": it is not in the inventory');
    expect((await runner.run(ssh('keyless', 'true'), opts())).error).toBe(`SSH key for "keyless" (127.0.0.1:${peer.port}) not found: ${peer.keyPath}.missing`);
  });

  it('the step timeout covers connecting: a host that accepts TCP and never speaks SSH times out as written', async () => {
    // `bare` keeps the default 8 s handshake wait; the step allows 1.5 s.
    const t0 = Date.now();
    const r = await bare.run(ssh('silent', 'true'), opts({ timeoutMs: 1500 }));
    const took = Date.now() - t0;
    expect(r).toMatchObject({ exitCode: null, timedOut: true, error: 'no SSH connection to "silent" within the step\'s timeout (1.5 s)' });
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(4000);
  });

  it('cancelling while connecting ends the step at once', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await bare.run(ssh('silent', 'true'), opts({ timeoutMs: 20_000, signal: ac.signal }));
    expect(r).toMatchObject({ exitCode: null, timedOut: false, error: 'cancelled while connecting to "silent"' });
  });

  it('unreachable hosts fail with a clear error', async () => {
    const refused = await runner.run(ssh('refused', 'true'), opts());
    expect(refused.error).toMatch(new RegExp(`^Cannot connect to "refused" \\(127\\.0\\.0\\.1:${closedPort}\\): .*ECONNREFUSED`));
    const hung = await runner.run(ssh('silent', 'true'), opts());
    expect(hung.error).toBe(`Cannot reach "silent" (127.0.0.1:${silentPort}): no SSH handshake within 1.5 s`);
  });
});
