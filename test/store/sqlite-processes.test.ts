import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'opsroom-sqlite-procs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('shares one new SQLite file between processes: migrated once, distinct ids, each key claimed once', async () => {
  const url = `sqlite:${join(dir, 'shared.db')}`;
  const script = fileURLToPath(new URL('./sqlite-writer.ts', import.meta.url));
  const procs = ['a', 'b', 'c'].map((name) =>
    run(process.execPath, ['--import', 'tsx', script, url, name, '15'], { timeout: 60_000 }),
  );
  const results = (await Promise.all(procs)).map((r) => JSON.parse(r.stdout) as { ids: number[]; claims: string[] });
  const ids = results.flatMap((r) => r.ids).sort((a, b) => a - b);
  expect(ids).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  const claims = results.flatMap((r) => r.claims).sort();
  expect(claims).toEqual(Array.from({ length: 15 }, (_, i) => `key-${i}`).sort());

  const database = await openDatabase(url);
  const store = new KyselyIncidentStore(database);
  for (const id of [1, 23, 45]) {
    const inc = await store.get(id);
    expect((await store.events(id)).map((e) => e.text)).toEqual([inc!.title]);
  }
  await database.close();
});
