/** Dockerode clients for the inventory's engines: a unix socket, TCP with TLS, or the Engine API over SSH. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import Docker from 'dockerode';
import type { Inventory } from '#core/inventory/schema.js';
import { type Connect, socketAgent } from '../ssh/tunnel.js';

export interface EngineClient {
  docker: Docker;
  /** Kill a timed-out exec through this machine's /proc (the engine runs here). */
  localKill: boolean;
  /** Set when the engine cannot be used at all. */
  error?: string;
}

const expand = (p: string) => p.replace(/^~(?=\/|$)/, homedir());

/**
 * One client per `system/engine`. An SSH engine's requests each open a channel to the engine's
 * socket over the host's pooled connection; its processes are not on this machine (no local kill).
 */
export function engineClients(inventory: Inventory, connect: Connect): Record<string, EngineClient> {
  const out: Record<string, EngineClient> = {};
  for (const s of Object.values(inventory.systems ?? {}))
    for (const [name, e] of Object.entries(s.engines)) {
      const key = `${s.name}/${name}`;
      if ('ssh' in e) {
        // The host part is only the Host header: the agent decides where the bytes go.
        out[key] = { docker: new Docker({ protocol: 'http', host: 'docker', port: 2375, agent: socketAgent(connect, e.ssh, e.socket) } as Docker.DockerOptions), localKill: false };
      } else if ('tcp' in e) {
        const [host, port] = [e.tcp.slice(0, e.tcp.lastIndexOf(':')), Number(e.tcp.slice(e.tcp.lastIndexOf(':') + 1))];
        try {
          out[key] = {
            docker: new Docker({ protocol: 'https', host, port, ca: readFileSync(expand(e.ca)), cert: readFileSync(expand(e.cert)), key: readFileSync(expand(e.key)) }),
            localKill: false,
          };
        } catch (err) {
          // The bot still starts; steps on this engine say why they cannot run.
          out[key] = { docker: new Docker(), localKill: false, error: `Docker engine "${key}": cannot read its TLS files: ${(err as Error).message}` };
        }
      } else out[key] = { docker: new Docker({ socketPath: expand(e.socket) }), localKill: true };
    }
  return out;
}
