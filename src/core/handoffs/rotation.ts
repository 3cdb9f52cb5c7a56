/** Who is on call from `handoff.rotation` and `handoff.shifts` (a team without PagerDuty). */
import type { HandoffConfig } from './config.js';
import { shiftAround, shiftIndex } from './window.js';

export interface RotationShift {
  user: string;
  start: Date;
  end: Date;
}

/** Now and the next shift; undefined when no rotation (or no shift times) is configured. */
export function rotationOnCall(c: Pick<HandoffConfig, 'rotation' | 'shifts' | 'timeZone'>, at: Date): { now: RotationShift; next: RotationShift } | undefined {
  if (!c.rotation.length || !c.shifts?.length) return undefined;
  const cur = shiftAround(at, c.shifts, c.timeZone);
  const after = shiftAround(cur.end, c.shifts, c.timeZone);
  const idx = shiftIndex(cur.start, c.shifts, c.timeZone);
  const who = (i: number) => c.rotation[((i % c.rotation.length) + c.rotation.length) % c.rotation.length];
  return { now: { user: who(idx), start: cur.start, end: cur.end }, next: { user: who(idx + 1), start: after.start, end: after.end } };
}
