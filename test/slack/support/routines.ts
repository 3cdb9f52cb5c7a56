/** Two routines of an `ops` system for schedule tests: one that passes, one that fails and has a dangerous step. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileConfig } from '#config/file.js';
import { GEN, SECRET, writeRunbooks } from './runs-world.js';

export const MORNING = `
title: Rutina matutina
schedule: { cron: "0 8 * * 1-5", timezone: America/Argentina/Buenos_Aires }
docker: { project: blatam }
steps:
  - id: ping
    title: Verificar Redis
    read_only: true
    docker: { service: redis, exec: [sh, -c, "echo PONG"] }
    expect: { output_contains: PONG }
`;

const EVENING = `
title: Rutina nocturna
schedule: { cron: "0 8 * * 1-5", timezone: America/Argentina/Buenos_Aires, on_failure: { open: P3 } }
docker: { project: blatam }
steps:
  - id: disk
    title: Revisar disco
    read_only: true
    docker: { service: redis, exec: [sh, -c, "echo disco lleno al 97%; echo requirepass ${SECRET}; exit 3"] }
    on_failure: continue
  - id: ping
    title: Verificar Redis
    read_only: true
    docker: { service: redis, exec: [sh, -c, "echo PONG"] }
  - id: restart
    title: Reiniciar Redis
    docker: { service: redis, restart: { timeout: 2s } }
    danger: true
`;

export const ROUTINES: FileConfig['routines'] = { channels: { ops: GEN }, schedules: {}, tickSeconds: 15, graceMinutes: 10 };

/** The runbooks folder (ops/morning, ops/evening beside the Redis runbook) and the inventory. */
export function writeRoutines(dir: string, socketPath: string) {
  const paths = writeRunbooks(dir, socketPath);
  mkdirSync(join(paths.runbooks, 'ops'), { recursive: true });
  writeFileSync(join(paths.runbooks, 'ops', 'morning.yml'), MORNING);
  writeFileSync(join(paths.runbooks, 'ops', 'evening.yml'), EVENING);
  return { OPSROOM_RUNBOOKS: paths.runbooks, OPSROOM_INVENTORY: paths.inventory };
}

