/** A run engine as opsroom wires it: the Kysely run store on a database of its own, a given runner. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunEngine, type ResolvedCommand, type ResolvedStep, type StepRunner } from '#core/runs/index.js';
import { openDatabase } from '#store/index.js';
import { KyselyRunStore } from '#store/runs.js';

export async function engineOnSqlite(runner: StepRunner) {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-runs-'));
  const database = await openDatabase(`sqlite:${join(dir, 'runs.db')}`);
  const store = new KyselyRunStore(database);
  const engine = new RunEngine({ store, runner, instanceId: `bench-${process.pid}` });
  return {
    engine, store, database,
    async close() {
      await engine.close();
      await runner.close?.();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function step(id: string, command: ResolvedCommand, timeoutMs = 60_000): ResolvedStep {
  return { id, title: id, command, danger: false, timeoutMs, expect: { exitCode: 0 }, onFailure: { action: 'stop' }, redact: false };
}

/** Starts a run of these steps and runs them one after another; throws when one does not succeed. */
export async function runSteps(engine: RunEngine, steps: ResolvedStep[], actor = 'U0BENCH', incidentId: number | null = null) {
  const run = await engine.start({ runbookId: 'bench', incidentId, params: {}, startedBy: actor, steps });
  for (const s of steps) {
    const r = await engine.runStep(run.id, s.id, { actor });
    if (r.state !== 'succeeded') throw new Error(`step ${s.id} ${r.state}: ${r.reason ?? ''} ${r.output.text.slice(-300)}`);
  }
  return run;
}
