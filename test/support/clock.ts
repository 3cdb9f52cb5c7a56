import type { Clock } from '#core/ports.js';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = new Date('2026-11-22T08:00:00Z')) {}
  now() { return new Date(this.t); }
  advance(ms: number) { this.t = new Date(this.t.getTime() + ms); }
  set(d: Date) { this.t = new Date(d); }
}
