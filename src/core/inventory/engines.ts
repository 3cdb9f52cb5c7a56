import { z } from 'zod';

/**
 * A Docker engine, reached the way operators reach one: its unix socket, TCP with TLS, or the
 * Engine API tunnelled over SSH from an inventory host (as `docker -H ssh://user@host` does), whose
 * pinned host key is checked like every SSH connection's.
 */

const path = (what: string) => z.string().min(1).describe(`${what} (~ is expanded).`);

const SocketEngineSchema = z.strictObject({
  socket: z.string().min(1).describe('Unix socket of a Docker engine on this machine (e.g. /var/run/docker.sock).'),
});

const TcpEngineSchema = z.strictObject({
  tcp: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'tcp is host:port, e.g. docker.example.internal:2376')
    .describe('host:port of an engine that speaks TLS (dockerd --tlsverify).'),
  ca: path('CA certificate that signed the engine\'s certificate'),
  cert: path('Client certificate'),
  key: path('Client private key'),
});

const SshEngineSchema = z.strictObject({
  ssh: z.string().min(1).describe('An inventory host of this system: the tunnel uses its address, user, key and pinned host key.'),
  socket: z.string().min(1).default('/var/run/docker.sock').describe('The engine\'s socket on that host.'),
});

export const EngineSchema = z
  .union([SshEngineSchema, TcpEngineSchema, SocketEngineSchema], {
    error: 'an engine is { socket: PATH }, { tcp: HOST:PORT, ca, cert, key } or { ssh: HOST, socket?: PATH }',
  })
  .describe('A Docker engine: { socket }, { tcp, ca, cert, key } or { ssh: <host>, socket }.');

export type EngineSpec = z.infer<typeof EngineSchema>;

/** One line for people: where the engine is. */
export function describeEngine(e: EngineSpec): string {
  if ('ssh' in e) return `ssh://${e.ssh}${e.socket}`;
  if ('tcp' in e) return `tcp+tls://${e.tcp}`;
  return `unix://${e.socket}`;
}
