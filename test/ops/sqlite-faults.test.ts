/**
 * SQLite faults under a running bot: the file locked by another process (`BEGIN EXCLUSIVE` held in
 * a child), a read-only database (on a read-only mount), and a full disk (a small tmpfs filled up). Commands get the clear answer in time, the
 * event loop is not blocked while waiting for the lock, /readyz names the database, and the bot
 * works again once storage does, with nothing half-applied.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import { KyselyIncidentStore, openDatabase } from '#store/index.js';
import { event, newIncident } from '../store/fixtures.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const GEN = 'C0GENERAL';
const CLEAR = /opsroom cannot save right now, try again in a moment/;
let t: LocalOpsroom | undefined;
let holder: ChildProcess | undefined;
const cleanups: Array<() => void> = [];

afterEach(async () => {
  holder?.kill('SIGKILL');
  holder = undefined;
  await t?.close();
  t = undefined;
  cleanups.splice(0).reverse().forEach((c) => c());
});

const readyz = async (o: LocalOpsroom) => {
  const r = await fetch(`${o.ops.url}/readyz`);
  return { status: r.status, body: await r.json() as { failing: string[]; checks: Record<string, string> } };
};

const titles = async (o: LocalOpsroom) =>
  (await (o.ops.database.db as any).selectFrom('incidents').select('title').orderBy('id').execute()).map((r: { title: string }) => r.title);

/** Holds an exclusive lock on the file from another process until killed. */
function lockFile(path: string): Promise<ChildProcess> {
  const code = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN EXCLUSIVE'); console.log('LOCKED'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => { if (String(c).includes('LOCKED')) resolve(child); });
    child.once('exit', (c) => reject(new Error(`lock holder exited (${c})`)));
  });
}

describe('SQLite faults under a running bot', () => {
  it('a file locked by another process: clear answer in time, event loop free, recovers after', async () => {
    t = await startLocal();
    expect((await t.ws.slash('U0ALICE', GEN, 'open P2 Before lock')).json?.text).toMatch(/Opened \*INC-1\*/);
    await t.settle();
    holder = await lockFile(join(t.dir, 'opsroom.db'));

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    for (const n of [1, 2]) {
      const a = await t.ws.slash('U0BOB', GEN, `open P2 While locked ${n}`);
      expect(a.durationMs).toBeLessThan(3000);
      expect(a.json?.text).toMatch(CLEAR);
    }
    // A click on the card: acknowledged in time, the message arrives through response_url.
    const card = t.messages('C0INCIDENTS')[0];
    const before = t.ws.calls('response_url').length;
    const click = await t.ws.click('U0BOB', { channel: 'C0INCIDENTS', ts: card.ts }, 'incident.acknowledge');
    expect(click.durationMs).toBeLessThan(3000);
    await waitFor(() => t!.ws.calls('response_url').slice(before).some((c) => CLEAR.test(JSON.stringify(c.args))), 3000);
    delay.disable();
    // A blocking busy_timeout would stall the loop for its whole length (seconds) per statement.
    expect(delay.max / 1e6).toBeLessThan(500);
    const down = await readyz(t);
    expect(down.status).toBe(503);
    expect(down.body.failing).toEqual(['database']);
    expect(down.body.checks.database).toMatch(/SQLITE_BUSY/);

    holder.kill('SIGKILL');
    await new Promise((r) => holder!.once('exit', r));
    holder = undefined;
    expect((await t.ws.slash('U0CAROL', GEN, 'open P2 After lock')).json?.text).toMatch(/Opened \*INC-2\*/);
    expect((await readyz(t)).status).toBe(200);
    expect(await titles(t)).toEqual(['Before lock', 'After lock']);
  });

  const mounted = (() => {
    if (process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'opsroom-mount-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe]);
      return true;
    } catch {
      if (process.env.CI === 'true') throw new Error('the full-disk test needs root and mount (tmpfs)');
      console.warn('\n*** SKIPPING the full-disk test: it needs root and mount (tmpfs) ***\n');
      return false;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  })();

  it.skipIf(!mounted)('a read-only database file: the bot starts, reads, answers clearly, recovers when writable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-ro-'));
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
    cleanups.push(() => { execFileSync('umount', ['-l', disk]); rmSync(dir, { recursive: true, force: true }); });
    const url = `sqlite:${join(disk, 'opsroom.db')}`;
    const seed = await openDatabase(url);
    await new KyselyIncidentStore(seed).create(newIncident({ title: 'Before read-only', createdAt: new Date() }), [event('opened', new Date())], []);
    await seed.db.executeQuery(CompiledQuery.raw('pragma journal_mode = delete'));
    await seed.close();
    execFileSync('mount', ['-o', 'remount,ro', disk]);

    t = await startLocal({ databaseUrl: url, dir });
    const a = await t.ws.slash('U0BOB', GEN, 'open P2 While read-only');
    expect(a.durationMs).toBeLessThan(3000);
    expect(a.json?.text).toMatch(CLEAR);
    const down = await readyz(t);
    expect(down.status).toBe(503);
    expect(down.body.failing).toEqual(['database']);
    expect(down.body.checks.database).toMatch(/SQLITE_READONLY/);
    expect(await titles(t)).toEqual(['Before read-only']);

    execFileSync('mount', ['-o', 'remount,rw', disk]);
    // The file is opened afresh (it was opened read-only) once it can be written again.
    await waitFor(async () => (await readyz(t!)).status === 200, 10_000);
    expect((await t.ws.slash('U0CAROL', GEN, 'open P2 After read-only')).json?.text).toMatch(/Opened \*INC-2\*/);
    expect(await titles(t)).toEqual(['Before read-only', 'After read-only']);
  });

  it.skipIf(!mounted)('a full disk: clear answer, /readyz says database, recovers once there is room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-full-'));
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', disk]);
    cleanups.push(() => { execFileSync('umount', ['-l', disk]); rmSync(dir, { recursive: true, force: true }); });
    t = await startLocal({ databaseUrl: `sqlite:${join(disk, 'opsroom.db')}`, dir });
    expect((await t.ws.slash('U0ALICE', GEN, 'open P2 Before full')).json?.text).toMatch(/Opened \*INC-1\*/);
    await t.settle();

    const filler = join(disk, 'filler');
    try { execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' }); } catch { /* stops at ENOSPC */ }
    const a = await t.ws.slash('U0BOB', GEN, `open P2 While full ${'x'.repeat(3000)}`);
    expect(a.durationMs).toBeLessThan(3000);
    expect(a.json?.text).toMatch(CLEAR);
    const down = await readyz(t);
    expect(down.status).toBe(503);
    expect(down.body.failing).toEqual(['database']);
    expect(down.body.checks.database).toMatch(/SQLITE_FULL/);

    rmSync(filler);
    expect((await t.ws.slash('U0CAROL', GEN, 'open P2 After full')).json?.text).toMatch(/Opened \*INC-2\*/);
    await waitFor(async () => (await readyz(t!)).status === 200);
    expect(await titles(t)).toEqual(['Before full', 'After full']);
  });
});

