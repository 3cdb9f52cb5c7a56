/**
 * Tunnels over the pooled SSH connection of an inventory host (so its pinned host key is checked
 * exactly as for SSH steps): an http.Agent whose every connection is an SSH channel, either to a
 * unix socket on the host (the Docker Engine API, like `docker -H ssh://`) or to host:port as the
 * host sees it (HTTP steps `via` a host: its localhost is the URL's localhost).
 */
import { Agent } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { NodeSSH } from 'node-ssh';

/** The pooled connection of an inventory host (SshStepRunner.connection). */
export type Connect = (host: string) => Promise<NodeSSH>;

type Opener = (ssh: NodeSSH, target: { host: string; port: number }) => Promise<Duplex>;

class TunnelAgent extends Agent {
  constructor(private readonly connect: Connect, private readonly via: string, private readonly open: Opener) {
    // One request per channel: channels are cheap on an open connection, and a closed one is never reused.
    super({ keepAlive: false });
  }

  override createConnection(options: { host?: string | null; port?: number | string | null }, callback: (err: Error | null, s?: Duplex) => void): undefined {
    const target = { host: options.host || 'localhost', port: Number(options.port) || 80 };
    this.connect(this.via)
      .then((ssh) => this.open(ssh, target))
      .then((stream) => callback(null, stream), (e: Error) => callback(e));
    return undefined;
  }
}

const channel = (what: string, via: string, open: (client: NonNullable<NodeSSH['connection']>, cb: (err: Error | undefined, s: Duplex) => void) => void) =>
  (ssh: NodeSSH) =>
    new Promise<Duplex>((resolve, reject) => {
      const client = ssh.connection;
      if (!client) return reject(new Error(`SSH connection to "${via}" is closed`));
      open(client, (err, stream) => (err ? reject(new Error(`${via} refused the tunnel to ${what}: ${err.message}`)) : resolve(stream)));
    });

/** Connections to a unix socket on `via` (OpenSSH streamlocal forwarding). */
export function socketAgent(connect: Connect, via: string, socketPath: string): Agent {
  return new TunnelAgent(connect, via, (ssh) =>
    channel(socketPath, via, (c, cb) => c.openssh_forwardOutStreamLocal(socketPath, cb))(ssh));
}

/** Connections to host:port as `via` resolves and reaches them (direct-tcpip); with `tls`, TLS inside the tunnel. */
export function tcpAgent(connect: Connect, via: string, tls?: { rejectUnauthorized: boolean }): Agent {
  return new TunnelAgent(connect, via, async (ssh, t) => {
    const raw = await channel(`${t.host}:${t.port}`, via, (c, cb) => c.forwardOut('127.0.0.1', 0, t.host, t.port, cb))(ssh);
    if (!tls) return raw;
    return await new Promise<Duplex>((resolve, reject) => {
      const s = tlsConnect({ socket: raw, servername: t.host, rejectUnauthorized: tls.rejectUnauthorized }, () => resolve(s));
      s.once('error', reject);
    });
  });
}
