/** Shift windows: from configured local shift times in a time zone, from an on-call entry, or the last N hours. */
import { said } from '../said.js';
import { CodedError, ErrorCode } from '../errors.js';

export type WindowSource = 'pagerduty' | 'shifts' | 'default' | 'since';

export interface ShiftWindow {
  since: Date;
  until: Date;
  source: WindowSource;
}

/** The end of a window that runs up to now, including what happened at this very millisecond. */
export const upToNow = (now: Date) => new Date(now.getTime() + 1);

/** Offset (ms) of `timeZone` from UTC at instant `at`. */
function zoneOffset(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** The local calendar date (y, m0, d) of `at` in `timeZone`. */
function localDate(at: Date, timeZone: string): [number, number, number] {
  const d = new Date(at.getTime() + zoneOffset(at, timeZone));
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

/** The instant of local wall time y-m0-d hh:mm in `timeZone` (a gap at a DST change moves forward). */
export function zonedTime(y: number, m0: number, d: number, hh: number, mm: number, timeZone: string): Date {
  const wall = Date.UTC(y, m0, d, hh, mm);
  let t = wall - zoneOffset(new Date(wall), timeZone);
  t = wall - zoneOffset(new Date(t), timeZone);
  return new Date(t);
}

/** Shift changes around `at`, ascending: every configured time on the local days before, of and after. */
function boundaries(at: Date, shifts: readonly string[], timeZone: string, days = 1): Date[] {
  const [y, m, d] = localDate(at, timeZone);
  const out: number[] = [];
  for (let k = -days - 1; k <= days; k++) {
    for (const s of shifts) {
      const [hh, mm] = s.split(':').map(Number);
      out.push(zonedTime(y, m, d + k, hh, mm, timeZone).getTime());
    }
  }
  return [...new Set(out)].sort((a, b) => a - b).map((t) => new Date(t));
}

function lastIndex<T>(list: readonly T[], ok: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (ok(list[i])) return i;
  return -1;
}

/** The shift that contains `at`: [last change <= at, next change > at). */
export function shiftAround(at: Date, shifts: readonly string[], timeZone: string): { start: Date; end: Date; previousStart: Date } {
  if (!shifts.length) throw new CodedError(ErrorCode.BadInput, 'No shift times are configured.');
  const all = boundaries(at, shifts, timeZone);
  const i = lastIndex(all, (b) => b.getTime() <= at.getTime());
  return { start: all[i], end: all[i + 1], previousStart: all[i - 1] };
}

/** Index of a shift (shift changes counted since 2000-01-01 local), for rotations. */
export function shiftIndex(start: Date, shifts: readonly string[], timeZone: string): number {
  const [y, m, d] = localDate(start, timeZone);
  const days = Math.round((Date.UTC(y, m, d) - Date.UTC(2000, 0, 1)) / 86_400_000);
  const times = [...new Set(shifts)].sort();
  const local = new Date(start.getTime() + zoneOffset(start, timeZone)).toISOString().slice(11, 16);
  return days * times.length + Math.max(0, lastIndex(times, (t) => t <= local));
}

/**
 * `/handoff since <time>`: an ISO date-time, `HH:MM` (the latest such local time not in the
 * future), or a duration back from now (`90m`, `6h`, `2d`).
 */
export function parseSince(text: string, now: Date, timeZone: string): Date {
  const s = text.trim();
  const rel = /^(\d+)\s*(m|min|h|d)$/i.exec(s);
  if (rel) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2].toLowerCase() as 'm' | 'min' | 'h' | 'd'];
    return new Date(now.getTime() - Number(rel[1]) * unit);
  }
  const hm = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (hm) {
    const [y, m, d] = localDate(now, timeZone);
    let t = zonedTime(y, m, d, Number(hm[1]), Number(hm[2]), timeZone);
    if (t.getTime() > now.getTime()) t = zonedTime(y, m, d - 1, Number(hm[1]), Number(hm[2]), timeZone);
    return t;
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
    const [date, time = '00:00'] = s.split(/[T ]/);
    const [y, m, d] = date.split('-').map(Number);
    const t = hasZone ? new Date(s) : zonedTime(y, m - 1, d, Number(time.slice(0, 2)), Number(time.slice(3, 5)), timeZone);
    if (!Number.isNaN(t.getTime())) {
      if (t.getTime() > now.getTime()) throw new CodedError(ErrorCode.BadInput, `${said(s)} is in the future.`);
      return t;
    }
  }
  throw new CodedError(ErrorCode.BadInput, `Cannot read "${said(s)}" as a time. Use 14:00, 6h, 90m, 2d or 2026-11-22T08:00.`);
}
