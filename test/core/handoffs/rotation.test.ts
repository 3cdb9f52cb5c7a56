import { describe, expect, it } from 'vitest';
import { rotationOnCall } from '#core/handoffs/rotation.js';

const c = { rotation: ['U0A', 'U0B', 'U0C'], shifts: ['08:00', '20:00'], timeZone: 'Europe/Madrid' };

describe('rotationOnCall', () => {
  it('gives the person of the current shift and the next one, in the configured time zone', () => {
    const a = rotationOnCall(c, new Date('2026-12-01T10:00:00Z'))!;
    expect(a.now.start.toISOString()).toBe('2026-12-01T07:00:00.000Z');
    expect(a.now.end.toISOString()).toBe('2026-12-01T19:00:00.000Z');
    expect(a.next.start.toISOString()).toBe('2026-12-01T19:00:00.000Z');
    expect(a.next.end.toISOString()).toBe('2026-12-02T07:00:00.000Z');
    const b = rotationOnCall(c, new Date('2026-12-01T20:00:00Z'))!;
    expect(b.now.user).toBe(a.next.user);
    expect(c.rotation.indexOf(a.next.user)).toBe((c.rotation.indexOf(a.now.user) + 1) % 3);
  });

  it('is undefined without a rotation or shift times', () => {
    expect(rotationOnCall({ ...c, rotation: [] }, new Date())).toBeUndefined();
    expect(rotationOnCall({ ...c, shifts: undefined }, new Date())).toBeUndefined();
  });
});
