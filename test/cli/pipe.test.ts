/**
 * The CLI piped into a reader that stops early (`| head -1`, as in the README): it ends quietly,
 * with no EPIPE stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '#store/index.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { event, newIncident } from '../store/fixtures.js';

const sh = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-pipe-'));
  const database = await openDatabase(`sqlite:${join(dir, 'opsroom.db')}`);
  const store = new KyselyIncidentStore(database);
  for (let i = 0; i < 50; i++) await store.create(newIncident({ title: `Incident ${i}`, createdAt: new Date() }), [event(`line ${i}`, new Date())], []);
  await database.close();
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const run = (pipeline: string) => sh('sh', ['-c', `${pipeline}; echo "status $?"`], {
  cwd: process.cwd(), env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}` },
});

describe('the opsroom command piped into head', () => {
  it.each([
    ['lint', /runbooks OK|error/],
    ['schema', /^\{/],
    ['audit --since 1h', /^\{"time":/],
  ])('%s | head -1 ends quietly', async (args, first) => {
    // npm's header line reaches head first, so head has exited before the command writes.
    const viaNpm = await run(`npm run opsroom -- ${args} | head -1`);
    expect(viaNpm.stderr).toBe('');
    expect(viaNpm.stdout.trim().split('\n').at(-1)).toBe('status 0');
    // A reader that is gone before anything is written.
    const gone = await run(`node --import tsx src/cli.ts ${args} | true`);
    expect(gone.stderr).toBe('');
    const direct = await run(`node --import tsx src/cli.ts ${args} | head -1`);
    expect(direct.stderr).toBe('');
    expect(direct.stdout.split('\n')[0]).toMatch(first);
  }, 60_000);
});
