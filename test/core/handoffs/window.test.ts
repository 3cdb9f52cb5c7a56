import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFileConfig } from '#config/file.js';
import { HandoffConfigSchema } from '#core/handoffs/config.js';
import { parseSince, shiftAround, shiftIndex, zonedTime } from '#core/handoffs/window.js';

const MADRID = 'Europe/Madrid';
const SHIFTS = ['08:00', '20:00'];
const iso = (d: Date) => d.toISOString();

describe('shift windows', () => {
  it('finds the shift around an instant in the configured time zone', () => {
    const s = shiftAround(new Date('2026-11-22T07:30:00Z'), SHIFTS, MADRID); // 08:30 Madrid (UTC+1)
    expect([iso(s.previousStart), iso(s.start), iso(s.end)]).toEqual(['2026-11-21T19:00:00.000Z', '2026-11-22T07:00:00.000Z', '2026-11-22T19:00:00.000Z']);
    const night = shiftAround(new Date('2026-11-22T06:59:59Z'), SHIFTS, MADRID);
    expect(iso(night.start)).toBe('2026-11-21T19:00:00.000Z');
  });

  it('follows daylight saving time: 08:00 is 06:00Z in summer and the change day has a short night', () => {
    expect(iso(shiftAround(new Date('2026-07-01T10:00:00Z'), SHIFTS, MADRID).start)).toBe('2026-07-01T06:00:00.000Z');
    // 2026-03-29: clocks go 02:00 → 03:00 in Madrid, so the night shift lasts 11 hours.
    const s = shiftAround(new Date('2026-03-29T05:00:00Z'), SHIFTS, MADRID);
    expect([iso(s.start), iso(s.end)]).toEqual(['2026-03-28T19:00:00.000Z', '2026-03-29T06:00:00.000Z']);
  });

  it('numbers consecutive shifts consecutively, so a rotation alternates', () => {
    const starts = ['2026-11-21T07:00:00Z', '2026-11-21T19:00:00Z', '2026-11-22T07:00:00Z', '2026-11-22T19:00:00Z'].map((t) => shiftIndex(new Date(t), SHIFTS, MADRID));
    expect(starts.map((n) => n - starts[0])).toEqual([0, 1, 2, 3]);
  });

  it('reads /handoff since: durations, local clock times, local and zoned dates', () => {
    const now = new Date('2026-11-22T12:00:00Z'); // 13:00 Madrid
    expect(iso(parseSince('6h', now, MADRID))).toBe('2026-11-22T06:00:00.000Z');
    expect(iso(parseSince('90m', now, MADRID))).toBe('2026-11-22T10:30:00.000Z');
    expect(iso(parseSince('08:00', now, MADRID))).toBe('2026-11-22T07:00:00.000Z');
    expect(iso(parseSince('14:00', now, MADRID))).toBe('2026-11-21T13:00:00.000Z'); // not in the future: yesterday
    expect(iso(parseSince('2026-11-22T08:00', now, MADRID))).toBe('2026-11-22T07:00:00.000Z');
    expect(iso(parseSince('2026-11-22T08:00Z', now, MADRID))).toBe('2026-11-22T08:00:00.000Z');
    expect(() => parseSince('2026-11-23T08:00', now, MADRID)).toThrow(/in the future/);
    expect(() => parseSince('last tuesday', now, MADRID)).toThrow(/Cannot read "last tuesday"/);
    expect(iso(zonedTime(2026, 10, 22, 8, 0, 'UTC'))).toBe('2026-11-22T08:00:00.000Z');
  });

  it('checks the handoff section of opsroom.yml', () => {
    expect(HandoffConfigSchema.safeParse({ shifts: ['8am'] }).success).toBe(false);
    expect(HandoffConfigSchema.safeParse({ timeZone: 'Mars/Olympus' }).error?.issues[0].message).toMatch(/IANA time zone/);
    expect(HandoffConfigSchema.safeParse({ rotation: ['alice'] }).success).toBe(false);
    expect(HandoffConfigSchema.parse({ checks: 'bff/handoff-checks' }).acceptMinutes).toBe(30);
  });

  it('names the file, line and setting of a bad handoff section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-handoff-config-'));
    try {
      const file = join(dir, 'opsroom.yml');
      writeFileSync(file, 'handoff:\n  shifts: ["08:00", "20:00"]\n  timeZone: Europe/Madird\n');
      expect(() => loadFileConfig(file)).toThrow(`${file}:3:13 handoff.timeZone: expected an IANA time zone like Europe/Madrid`);
      writeFileSync(file, 'handoff:\n  shifts: ["08:00"]\n  timeZone: Europe/Madrid\n  moveCommanders: true\n');
      expect(loadFileConfig(file).handoff).toMatchObject({ shifts: ['08:00'], moveCommanders: true, acceptMinutes: 30 });
      writeFileSync(file, 'channels: {}\n');
      expect(loadFileConfig(file).handoff).toMatchObject({ timeZone: 'UTC', schedule: true, defaultHours: 12 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
