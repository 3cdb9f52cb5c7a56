import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHandoff } from '#cli/handoff.js';
import { openDatabase } from '#store/db.js';
import { ManualClock } from '../support/clock.js';
import { BOUNDARY, SHIFT_START, seedNightShift } from '../core/handoffs/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-cli-handoff-'));
const db = `sqlite:${join(dir, 'opsroom.db')}`;
const config = join(dir, 'opsroom.yml');

beforeAll(async () => {
  const database = await openDatabase(db);
  await seedNightShift(database);
  await database.close();
  writeFileSync(config, 'handoff:\n  shifts: ["08:00", "20:00"]\n  timeZone: Europe/Madrid\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], now = new Date(BOUNDARY.getTime() + 5 * 60_000)) {
  let out = '';
  let err = '';
  const code = await runHandoff(['--db', db, '--config', config, ...args], {
    out: (t) => { out += t; }, err: (t) => { err += t; }, env: {}, clock: new ManualClock(now),
  });
  return { code, out, err };
}

describe('opsroom handoff', () => {
  it('prints the shift as markdown, holding only what belongs to it', async () => {
    const r = await run(['--since', SHIFT_START.toISOString(), '--until', BOUNDARY.toISOString()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('# Handoff: 2 open, 1 P1 · 2 resolved · 1 failed restart · 3 pages · 1 unanswered reminder');
    expect(r.out).toContain('## Open incidents (2)');
    expect(r.out).toContain('Next step: roll back config');
    expect(r.out).toContain('Disk on db-2 at 85%, watch it');
    expect(r.out).not.toMatch(/INC-6|Next shift note|Previous shift note/);
  });

  it('writes people by name and results as marks, with no Slack shortcodes or raw IDs', async () => {
    const r = await run(['--since', SHIFT_START.toISOString(), '--until', BOUNDARY.toISOString()]);
    expect(r.code).toBe(0);
    // The local workspace's people (no bot token): Alice Adams commands INC-2, Carol INC-5.
    expect(r.out).toMatch(/commander Alice Adams/);
    expect(r.out).toContain('❌');
    expect(r.out).not.toMatch(/:[a-z_]+:/);
    expect(r.out).not.toMatch(/@?U0(ALICE|BOB|CAROL)\b/);
  });

  it('prints JSON for other tools; local times read in the configured time zone', async () => {
    const r = await run(['--since', '2026-11-21T20:00', '--until', '2026-11-22T08:00', '--format', 'json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.window).toEqual({ since: SHIFT_START.toISOString(), until: BOUNDARY.toISOString(), source: 'since' });
    expect(s.open.map((i: { id: number }) => i.id)).toEqual([2, 5]);
    expect(s.notes).toHaveLength(1);
  });

  it('defaults to the current shift from the configured shift times', async () => {
    const r = await run(['--format', 'json'], new Date('2026-11-22T07:30:00Z'));
    const s = JSON.parse(r.out);
    expect(s.window.since).toBe(BOUNDARY.toISOString());
    expect(s.window.source).toBe('shifts');
    expect(s.notes.map((n: { text: string }) => n.text)).toEqual(['Next shift note']);
  });

  it('refuses bad input with a clear message and exit 2', async () => {
    expect(await run(['--format', 'xml'])).toMatchObject({ code: 2, err: expect.stringContaining('--format must be md or json') });
    expect(await run(['--since', 'sometime'])).toMatchObject({ code: 2, err: expect.stringContaining('Cannot read "sometime" as a time') });
    expect(await run(['--since', '1h', '--until', '2h'])).toMatchObject({ code: 2, err: expect.stringContaining('must be before its end') });
    expect(await run(['--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining('usage: opsroom handoff') });
  });

  it('is an opsroom command', () => {
    const r = spawnSync(process.execPath, [resolve('bin', 'opsroom.js'), 'handoff', '--db', db, '--config', config, '--since', '2d', '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).window.source).toBe('since');
  });
});
