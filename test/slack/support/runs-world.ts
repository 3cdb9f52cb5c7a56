/**
 * A world for remediation tests: a private dockerd with a container labelled like the demo's
 * redis (compose project blatam, service redis), a runbook folder and inventory pointing at that
 * engine, and the real opsroom (Bolt + store + engine) on its local workspace.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { FileConfig } from '#config/file.js';
import type { Clock } from '#core/ports.js';
import { startDocker, type DockerPeer } from '../../support/peers/docker.js';
import { startLocal, type LocalOpsroom } from '../../support/opsroom.js';
import { waitFor } from '../../support/slack-app.js';

/** A configured secret (inventory `secrets`), printed by the `leak` step: it must never show. */
export const SECRET = 'hunter2-very-secret';
export const INC = 'C0INCIDENTS';
export const GEN = 'C0GENERAL';

/** The Redis runbook of seed 001, pointed at a container (a busybox stand-in for redis). */
const REDIS_RUNBOOK = `
title: Redis caído
source: { file: 001_c4a03e75bd5b2114.txt, section: Redis caído }
match: { keywords: [redis, "rate limit"], services: [redis] }
docker: { project: blatam }
params:
  lines: { type: integer, default: 20, min: 1, max: 500 }
  pattern: { type: string, pattern: "^[a-z]+$", required: true, description: what to look for }
steps:
  - id: ping
    title: Verificar estado Redis
    read_only: true
    docker: { service: redis, exec: [sh, -c, "PING_COMMAND; echo last {{ lines }} lines"] }
    expect: { output_contains: PONG }
    timeout: 10s
  - id: stream
    title: Leer actividad
    read_only: true
    docker: { service: redis, exec: [sh, -c, "for i in $(seq 1 STREAM_LINES); do echo line $i of the activity log; sleep STREAM_SLEEP; done"] }
    timeout: 60s
    on_failure: continue
  - id: grep
    title: Buscar {{ pattern }}
    read_only: true
    docker: { service: redis, exec: [sh, -c, "echo looking for {{ pattern }}; exit 1"] }
    on_failure: continue
  - id: big
    title: Volcar claves
    read_only: true
    docker: { service: redis, exec: [seq, "1", "3000"] }
    on_failure: continue
  - id: leak
    title: Ver configuración
    read_only: true
    docker: { service: redis, exec: [sh, -c, "echo requirepass hunter2-very-secret"] }
    on_failure: continue
  - id: restart
    title: Reiniciar Redis
    docker: { service: redis, restart: { timeout: 2s } }
    danger: true
escalate:
  - when: Redis caído > 5 min
    then: Escalar a SRE
    page: sre
`;

/** The Docker engine steps run on, with a container labelled blatam/redis. */
export interface RedisEngine {
  socketPath: string;
  redis: Docker.Container;
  stop(): Promise<void>;
}

export interface RunsWorld {
  t: LocalOpsroom;
  redis: Docker.Container;
  dir: string;
  stop(): Promise<void>;
}

export interface WorldOptions {
  clock?: Clock;
  file?: Partial<FileConfig>;
  streamLines?: number;
  streamSleep?: string;
  /** Extra runbooks: file name -> YAML. */
  runbooks?: Record<string, string>;
  /** Extra environment (PagerDuty settings, …). */
  env?: Record<string, string>;
  /** Where steps run (default: a private dockerd with a busybox container labelled blatam/redis). */
  engine?: RedisEngine;
  /** The shell command of the ping step (default `echo PONG`; the demo's real Redis: `redis-cli ping`). */
  ping?: string;
}

export function writeRunbooks(dir: string, socketPath: string, o: WorldOptions = {}): { runbooks: string; inventory: string } {
  const runbooks = join(dir, 'runbooks');
  mkdirSync(runbooks, { recursive: true });
  const redis = REDIS_RUNBOOK.replace('PING_COMMAND', o.ping ?? 'echo PONG').replace('STREAM_LINES', String(o.streamLines ?? 5)).replace('STREAM_SLEEP', o.streamSleep ?? '0.05');
  writeFileSync(join(runbooks, 'redis-down.yml'), redis);
  for (const [name, text] of Object.entries(o.runbooks ?? {})) {
    mkdirSync(dirname(join(runbooks, name)), { recursive: true });
    writeFileSync(join(runbooks, name), text);
  }
  const inventory = join(dir, 'inventory.yml');
  writeFileSync(inventory, `docker: { socket_path: ${socketPath} }\nsecrets: [OPSROOM_TEST_SECRET]\n`);
  return { runbooks, inventory };
}

export async function startRunsWorld(o: WorldOptions = {}): Promise<RunsWorld> {
  process.env.OPSROOM_TEST_SECRET = SECRET;
  const engine = o.engine ?? (await busyboxRedis());
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-runs-'));
  const paths = writeRunbooks(dir, engine.socketPath, o);
  const t = await startLocal({
    dir, clock: o.clock, file: o.file,
    env: { OPSROOM_RUNBOOKS: paths.runbooks, OPSROOM_INVENTORY: paths.inventory, ...o.env },
  });
  return {
    t, redis: engine.redis, dir,
    async stop() {
      await t.close();
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private dockerd with a busybox container labelled like the demo's redis. */
export async function busyboxRedis(): Promise<RedisEngine> {
  const docker: DockerPeer = await startDocker();
  const redis = await docker.run({ name: 'blatam-redis-1', project: 'blatam', service: 'redis', cmd: ['sleep', '3600'] });
  return { socketPath: docker.socketPath, redis, stop: () => docker.stop() };
}

/** Opens an incident and delivers its card, thread line and suggestions. */
export async function openIncident(t: LocalOpsroom, text = 'open P1 Redis caído', user = 'U0ALICE') {
  const r = await t.ws.slash(user, GEN, text);
  const key = /Opened \*(INC-\d+)\*/.exec(r.json?.text ?? '')?.[1];
  if (!key) throw new Error(`not opened: ${r.json?.text}`);
  await t.settle();
  const card = await waitFor(() => t.messages(INC).find((m) => (m.text ?? '').startsWith(`${key} `)));
  await waitFor(() => t.messages(INC, card.ts).some((m) => (m.text ?? '').startsWith('Runbooks that match')));
  return card;
}

export const threadOf = (t: LocalOpsroom, cardTs: string) => t.messages(INC, cardTs);
export const runCardOf = (t: LocalOpsroom, cardTs: string, runId = 1) => threadOf(t, cardTs).find((m) => (m.text ?? '').startsWith('Runbook ') && m.text.includes(`(run ${runId})`));
export const outputsOf = (t: LocalOpsroom, cardTs: string, stepId: string) => threadOf(t, cardTs).filter((m) => (m.text ?? '').startsWith(`${stepId}: `));
