/**
 * The real opsroom in this process (Bolt, store on SQLite, run engine, run board) on its local
 * workspace, with a private dockerd whose container `shop/api` the given runbooks act on.
 * Runs start the way the Slack buttons start them (the Remediation use-cases).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import type { Incident } from '#core/incidents/incident.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import type { Workspace } from '#workspace/index.js';
import { dockerAvailable, startDocker, type DockerPeer } from '../../test/support/peers/docker.js';
import { SkipBenchmark } from './result.js';

export interface World {
  ops: Opsroom;
  ws: Workspace;
  docker: DockerPeer;
  dir: string;
  /** Opens an incident as `user` and delivers its card (so runs can post in its thread). */
  open(title: string, user?: string): Promise<Incident>;
  close(): Promise<void>;
}

export async function startWorld(runbooks: Record<string, string>, options: { databaseUrl?: string } = {}): Promise<World> {
  if (!dockerAvailable()) throw new SkipBenchmark('Docker peer missing (scripts/install-peers.sh)');
  const docker = await startDocker();
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-world-'));
  let ops: Opsroom | undefined;
  try {
    await docker.run({ name: 'shop-api-1', project: 'shop', service: 'api', cmd: ['sleep', '3600'] });
    mkdirSync(join(dir, 'runbooks'));
    for (const [name, text] of Object.entries(runbooks)) writeFileSync(join(dir, 'runbooks', `${name}.yml`), text);
    writeFileSync(join(dir, 'inventory.yml'), `docker: { socket_path: ${docker.socketPath} }\n`);
    const env = parseEnv({
      PORT: '0', DATABASE_URL: options.databaseUrl ?? `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'),
      OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_INVENTORY: join(dir, 'inventory.yml'),
    });
    // Logs on stderr: stdout carries only result lines.
    const logger = pino({ level: 'warn', base: { app: 'opsroom' } }, pino.destination(2));
    ops = await startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger });
    const o = ops;
    return {
      ops: o, ws: o.workspace!, docker, dir,
      async open(title, user = 'U0ALICE') {
        const { incident } = await o.incidents.open({ severity: 'P3', title, openedBy: user, sourceChannel: 'C0GENERAL' });
        await o.dispatcher.settle();
        const withCard = await o.store.get(incident.id);
        if (!withCard?.cardTs) throw new Error(`incident ${incident.id} has no card after delivery`);
        return withCard;
      },
      async close() {
        await o.close();
        await docker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await ops?.close().catch(() => undefined);
    await docker.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Samples RSS every `everyMs` until stopped; returns the peak in MB. */
export function rssSampler(everyMs = 20) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return peak / 2 ** 20;
    },
  };
}
