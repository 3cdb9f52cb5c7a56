import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RunEngine } from '#core/runs/engine.js';
import { openDatabase, type Database } from '#store/db.js';
import { KyselyRunStore } from '#store/runs.js';
import { ScriptedRunner } from '../core/runs/support/scripted-runner.js';
import { describeRunStore } from '../core/runs/support/store-contract.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('KyselyRunStore on $name', (engine) => {
  afterAll(() => engine.shutdown());
  describeRunStore(engine.name, async () => {
    const fresh = await engine.fresh();
    const handles: Database[] = [await fresh.open()];
    return {
      store: new KyselyRunStore(handles[0]),
      // Several better-sqlite3 handles in one process block each other (synchronous busy wait);
      // SQLite sharing across processes is covered by the restart test.
      reopen: engine.name === 'sqlite' ? undefined : async () => {
        const d = await fresh.open();
        handles.push(d);
        return new KyselyRunStore(d);
      },
      close: async () => {
        for (const d of handles) await d.close();
        await fresh.drop();
      },
    };
  });
});

describe('a crash while a step runs (real SQLite file, real process)', () => {
  it('after restart the step is interrupted, its lock is free, and nothing re-runs by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-runs-'));
    const url = `sqlite:${join(dir, 'opsroom.db')}`;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../core/runs/support/hung-step-child.ts', import.meta.url)), url], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      const { runId } = JSON.parse(line) as { runId: number };
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;

      const database = await openDatabase(url);
      try {
        const store = new KyselyRunStore(database);
        expect((await store.getStep(runId, 'restart'))?.state).toBe('running');
        expect(await store.getLock('docker:redis')).toBeDefined();
        const runner = new ScriptedRunner();
        const engine = new RunEngine({ store, runner });
        const changed = await engine.recoverInterrupted();
        expect(changed.map((s) => [s.runId, s.stepId, s.state])).toEqual([[runId, 'restart', 'interrupted']]);
        expect((await store.steps(runId)).map((s) => [s.stepId, s.state])).toEqual([['ping', 'succeeded'], ['restart', 'interrupted']]);
        expect((await store.attempts(runId, 'restart'))[0]).toMatchObject({ state: 'interrupted', error: expect.stringContaining('interrupted') });
        expect(await store.getLock('docker:redis')).toBeUndefined();
        expect((await store.getRun(runId))?.state).toBe('failed');
        expect(runner.calls).toHaveLength(0);
        // A person retries it: a second attempt, on the new process.
        const r = await engine.retry(runId, 'restart', { actor: 'U2' });
        expect(r).toMatchObject({ state: 'succeeded', attempt: 2 });
        expect(runner.calls).toHaveLength(1);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
