import { describe, expect, it } from 'vitest';
import { assertReopenable, assertTransition, STATUSES, TRANSITIONS } from '#core/incidents/status.js';
import { parseSeverity, DEFAULT_SEVERITIES } from '#core/incidents/severity.js';

describe('status transitions', () => {
  it('allows exactly the moves in the table', () => {
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        const allowed = TRANSITIONS[from].includes(to);
        if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(/cannot move|already/);
      }
    }
  });
  it('reopens only to investigating', () => {
    expect(TRANSITIONS.resolved).toEqual(['investigating']);
    expect(() => assertTransition('resolved', 'monitoring')).toThrow('cannot move to monitoring');
  });
  it('reopens only a resolved incident', () => {
    expect(() => assertReopenable('resolved')).not.toThrow();
    for (const s of STATUSES.filter((x) => x !== 'resolved')) expect(() => assertReopenable(s)).toThrow(`still open (${s}); only a resolved incident can be reopened`);
  });
});

describe('severity parsing', () => {
  it.each(['P1', 'p1', 'SEV1', 'sev-1', 'Sev 1', 'sev_1', '1'])('reads %s as P1', (s) => {
    expect(parseSeverity(s, DEFAULT_SEVERITIES)?.id).toBe('P1');
  });
  it.each(['P9', 'urgent', '', 'sev-x'])('refuses %s', (s) => {
    expect(parseSeverity(s, DEFAULT_SEVERITIES)).toBeUndefined();
  });
  it('knows configured aliases', () => {
    const levels = DEFAULT_SEVERITIES.map((s) => (s.id === 'P1' ? { ...s, aliases: ['P0', 'Sev 1'] } : s));
    expect(parseSeverity('p0', levels)?.id).toBe('P1');
  });
  it('has the response targets of the seeds escalation matrix', () => {
    expect(DEFAULT_SEVERITIES.map((s) => [s.id, s.responseMinutes])).toEqual([['P1', 5], ['P2', 15], ['P3', 60], ['P4', 480]]);
  });
});
