/**
 * SshStepRunner: runs a rendered shell command on an inventory host over SSH (node-ssh / ssh2).
 * One pooled connection per host, reused across steps, with keepalive and reconnection. Host keys
 * are always checked against the inventory's pinned key. Timeouts kill the remote command.
 */
import { existsSync } from 'node:fs';
import { NodeSSH } from 'node-ssh';
import { CodedError, ErrorCode, isCoded } from '#core/errors.js';
import type { ResolvedCommand, RunOptions, StepKind, StepOutcome, StepRunner } from '#core/runs/step-runner.js';
import { algorithmsFor, blobType, fingerprint, parseHostKey } from './host-key.js';
import { killCommand, PidLine, wrapWithTimeout } from './remote-command.js';

/** ssh2's channel, named through node-ssh (ssh2 itself is not a direct dependency). */
type ClientChannel = Awaited<ReturnType<NodeSSH['requestShell']>>;

interface SshHost {
  address: string;
  port?: number;
  user: string;
  /** Path to the private key file. */
  keyPath: string;
  /** The host's public key, as `ssh-keyscan` prints it. Required: unknown keys are refused. */
  hostKey: string;
}
export type SshInventory = Record<string, SshHost>;

export interface SshStepRunnerOptions {
  /** How long connecting may take (TCP + handshake + auth). Default 8 s. */
  readyTimeoutMs?: number;
  /** Keepalive interval on pooled connections. Default 10 s. */
  keepaliveIntervalMs?: number;
  /** Wrap commands in a remote `timeout -s KILL` backstop (default true; tests turn it off to prove the kill). */
  remoteTimeout?: boolean;
}

/** How long to wait for the channel to close after the remote process group was killed. */
const AFTER_KILL_MS = 3_000;

export class SshStepRunner implements StepRunner {
  readonly kinds: readonly StepKind[] = ['ssh'];
  private readonly pool = new Map<string, Promise<NodeSSH>>();

  constructor(private readonly hosts: SshInventory, private readonly options: SshStepRunnerOptions = {}) {}

  /** The step's timeout covers everything: connecting (TCP, handshake, auth), opening the channel, the command. */
  async run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    if (command.kind !== 'ssh') return failed(`SshStepRunner cannot run a ${command.kind} step`);
    const deadline = Date.now() + options.timeoutMs;
    const connect = async (): Promise<NodeSSH | StepOutcome> => {
      try {
        return await untilDeadline(this.connection(command.host), command.host, deadline, options.signal);
      } catch (e) {
        return failed(isCoded(e) ? e.message : `Cannot connect to ${command.host}: ${(e as Error).message}`);
      }
    };
    let ssh = await connect();
    if (!(ssh instanceof NodeSSH)) return ssh;
    const remote = wrapWithTimeout(command.command, this.options.remoteTimeout === false ? undefined : Math.max(1, deadline - Date.now()));
    const first = await exec(ssh, remote, options, deadline);
    if (first !== NOT_STARTED) return first;
    // The pooled connection died under us before the command started: reconnect once.
    this.forget(command.host, ssh);
    ssh = await connect();
    if (!(ssh instanceof NodeSSH)) return ssh;
    const second = await exec(ssh, remote, options, deadline);
    return second === NOT_STARTED ? failed(`SSH connection to ${command.host} failed before the command started`) : second;
  }

  private forget(name: string, ssh: NodeSSH): void {
    const pooled = this.pool.get(name);
    if (pooled) void pooled.then((p) => { if (p === ssh && this.pool.get(name) === pooled) this.pool.delete(name); }, () => {});
    ssh.dispose();
  }

  /** The pooled connection for a host, opened on first use or after it dropped. */
  connection(name: string): Promise<NodeSSH> {
    const pooled = this.pool.get(name);
    if (pooled) return pooled;
    const opening = this.open(name);
    this.pool.set(name, opening);
    opening.catch(() => { if (this.pool.get(name) === opening) this.pool.delete(name); });
    return opening;
  }

  async close(): Promise<void> {
    const all = [...this.pool.values()];
    this.pool.clear();
    await Promise.all(all.map((p) => p.then((ssh) => ssh.dispose(), () => {})));
  }

  private async open(name: string): Promise<NodeSSH> {
    const host = this.hosts[name];
    if (!host) throw new CodedError(ErrorCode.NotFound, `Unknown SSH host "${name}": it is not in the inventory`);
    const where = `"${name}" (${host.address}:${host.port ?? 22})`;
    const pinned = parseHostKey(host.hostKey ?? '');
    if (!pinned) {
      throw new CodedError(ErrorCode.HostKey, `No usable host key for ${where} in the inventory; add the line ssh-keyscan prints`);
    }
    if (!existsSync(host.keyPath)) {
      throw new CodedError(ErrorCode.BadInput, `SSH key for ${where} not found: ${host.keyPath}`);
    }
    let presented: Buffer | undefined;
    const ssh = new NodeSSH();
    try {
      await ssh.connect({
        host: host.address,
        port: host.port ?? 22,
        username: host.user,
        privateKeyPath: host.keyPath,
        readyTimeout: this.options.readyTimeoutMs ?? 8_000,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 10_000,
        keepaliveCountMax: 3,
        algorithms: { serverHostKey: algorithmsFor(pinned.type) as never },
        hostVerifier: (key: Buffer) => {
          presented = key;
          return key.equals(pinned.blob);
        },
      });
    } catch (e) {
      ssh.dispose();
      if (presented && !presented.equals(pinned.blob)) {
        throw new CodedError(
          ErrorCode.HostKey,
          `Host key for ${where} does not match the inventory: expected ${pinned.type} ${fingerprint(pinned.blob)}, ` +
            `presented ${blobType(presented) ?? 'unknown'} ${fingerprint(presented)}. Refusing to connect.`,
          { expected: fingerprint(pinned.blob), presented: fingerprint(presented) },
        );
      }
      const msg = (e as Error).message;
      if (/Timed out while waiting for handshake/i.test(msg)) {
        throw new CodedError(ErrorCode.Unavailable, `Cannot reach ${where}: no SSH handshake within ${(this.options.readyTimeoutMs ?? 8_000) / 1000} s`);
      }
      throw new CodedError(ErrorCode.Unavailable, `Cannot connect to ${where}: ${msg}`);
    }
    const forget = () => {
      if (this.pool.get(name) === current) this.pool.delete(name);
    };
    const current = this.pool.get(name);
    ssh.connection?.once('close', forget);
    ssh.connection?.once('end', forget);
    ssh.connection?.on('error', forget);
    return ssh;
  }
}

/**
 * The pooled connection, or an outcome when the step's deadline passes (or it is cancelled) first.
 * The connection attempt goes on for later steps, bounded by readyTimeout.
 */
function untilDeadline(opening: Promise<NodeSSH>, host: string, deadline: number, signal: AbortSignal): Promise<NodeSSH | StepOutcome> {
  return new Promise((resolve, reject) => {
    const ms = deadline - Date.now();
    const timer = setTimeout(() => done({
      exitCode: null, output: '', timedOut: true, error: `no SSH connection to "${host}" within the step's timeout (${Math.round(ms / 100) / 10} s)`,
    }), Math.max(0, ms));
    const onAbort = () => done(failed(`cancelled while connecting to "${host}"`));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    function done(r: NodeSSH | StepOutcome) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(r);
    }
    opening.then(done, (e) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}

/** Returned when the channel could not be opened: nothing ran, so it is safe to retry. */
const NOT_STARTED: StepOutcome = Object.freeze({ exitCode: null, output: '', timedOut: false, error: 'not started' });

function exec(ssh: NodeSSH, remote: string, options: RunOptions, deadline: number): Promise<StepOutcome> {
  return new Promise((resolve) => {
    const client = ssh.connection;
    if (!client || !ssh.isConnected()) return resolve(NOT_STARTED);
    let opened = false;
    let gaveUp = false;
    const lost = () => { if (!opened) resolve(NOT_STARTED); };
    client.once('close', lost);
    // A server that never answers the channel request must not outlast the step either.
    const openTimer = setTimeout(() => {
      gaveUp = true;
      client.removeListener('close', lost);
      resolve({ exitCode: null, output: '', timedOut: true, error: 'the SSH server did not open a session within the step\'s timeout' });
    }, Math.max(0, deadline - Date.now()));
    try {
      client.exec(remote, onChannel);
    } catch {
      clearTimeout(openTimer);
      client.removeListener('close', lost);
      return resolve(NOT_STARTED);
    }
    function onChannel(err: Error | undefined, channel: ClientChannel) {
      opened = true;
      clearTimeout(openTimer);
      client!.removeListener('close', lost);
      if (gaveUp) {
        // Too late: the command may have started; end it (the remote timeout wrapper is the backstop).
        if (!err) { try { channel.signal('KILL'); } catch { /* closing */ } channel.close(); }
        return;
      }
      if (err) return resolve(NOT_STARTED);
      let output = '';
      let stopped: 'timeout' | 'abort' | undefined;
      const emit = (text: string) => {
        if (!text) return;
        output += text;
        options.onOutput(text);
      };
      const pidLine = new PidLine();
      channel.on('data', (d: Buffer) => emit(d.toString('utf8')));
      channel.stderr.on('data', (d: Buffer) => {
        emit(pidLine.feed(d.toString('utf8')));
        if (stopped) killGroup();
      });
      let code: number | null = null;
      channel.on('exit', (c: number | null) => { code = typeof c === 'number' ? c : null; });

      let killed = false;
      const killGroup = () => {
        if (killed || !pidLine.pid) return;
        killed = true;
        client!.exec(killCommand(pidLine.pid), (e, ch) => { if (!e) ch.resume(); });
      };
      const stop = (why: 'timeout' | 'abort') => {
        if (stopped) return;
        stopped = why;
        // A channel signal works for non-root users; a second channel killing the process group works for all.
        try { channel.signal('KILL'); } catch { /* channel already closing */ }
        killGroup(); // or as soon as the PID line arrives
        setTimeout(() => channel.close(), AFTER_KILL_MS).unref();
        // Never hang on a channel that will not close: report it instead.
        setTimeout(() => finish(`the remote command did not confirm it ended after ${why === 'timeout' ? 'the timeout' : 'cancelling'}; it may still be running`), 2 * AFTER_KILL_MS).unref();
      };
      const timer = setTimeout(() => stop('timeout'), Math.max(0, deadline - Date.now()));
      const onAbort = () => stop('abort');
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });

      let done = false;
      function finish(problem?: string) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        if (stopped === 'timeout') resolve({ exitCode: null, output, timedOut: true, ...(problem && { error: problem }) });
        else if (stopped === 'abort') resolve({ exitCode: null, output, timedOut: false, error: problem ?? 'cancelled: the remote command was killed' });
        else resolve({ exitCode: code, output, timedOut: false });
      }
      channel.on('close', () => finish());
    }
  });
}

function failed(error: string): StepOutcome {
  return { exitCode: null, output: '', timedOut: false, error };
}
