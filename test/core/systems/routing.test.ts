import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { SystemRouting, SystemsSchema, unknownSystemText } from '#core/systems/index.js';
import { saidParts } from '#core/said.js';

const systems = SystemsSchema.parse({
  blatam: {
    channel: 'C0BLATAM',
    announce: { channel: 'C0STATUS', severities: ['Crítica', 'P2'] },
    severities: { Crítica: 'P1', Alta: 'P2', Media: 'P3' },
    pagerduty: { service: 'PBLATAM' },
    people: { responders: ['U0ERIN'], oncall: ['S0BLATAM'] },
  },
  'ai-multimodel': { severities: { P0: 'P1', P1: 'P2', P2: 'P3', P3: 'P4', High: 'P2' } },
  minimarket: { channel: 'C0MINI', severities: { P1: 'P1' } },
});
const r = new SystemRouting({ systems, severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS' });

describe('SystemRouting', () => {
  it('finds a system whatever its case, and guesses a mistyped one', () => {
    expect(r.find('BLATAM')).toBe('blatam');
    expect(r.find('Ai-Multimodel')).toBe('ai-multimodel');
    expect(r.find('checkout')).toBeUndefined();
    expect(r.find(null)).toBeUndefined();
    expect(r.guess('blatan')).toBe('blatam');
    const text = unknownSystemText('blatan', r);
    expect(text).toContain('Did you mean blatam?');
    expect(text).toContain('Known: blatam, ai-multimodel, minimarket.');
    // What was typed is marked as someone else's words.
    expect(saidParts(text).filter((p) => p.said).map((p) => p.text)).toEqual(['blatan']);
  });

  it('routes to the system channel, else the default incidents channel', () => {
    expect(r.channelFor('blatam')).toBe('C0BLATAM');
    expect(r.channelFor('Blatam')).toBe('C0BLATAM');
    expect(r.channelFor('ai-multimodel')).toBe('C0INCIDENTS');
    expect(r.channelFor(null)).toBe('C0INCIDENTS');
    expect(r.channelFor('unknown')).toBe('C0INCIDENTS');
    expect(r.byChannel('C0BLATAM')).toBe('blatam');
    expect(r.byChannel('C0INCIDENTS')).toBeUndefined();
  });

  it('reads the team\'s severity names, accents and case aside, and opsroom\'s own names', () => {
    expect(r.severity('Crítica', 'blatam')?.id).toBe('P1');
    expect(r.severity('critica', 'blatam')?.id).toBe('P1');
    expect(r.severity('ALTA', 'blatam')?.id).toBe('P2');
    expect(r.severity('sev-3', 'blatam')?.id).toBe('P3');
    expect(r.severity('Crítica', 'minimarket')).toBeUndefined();
    expect(r.severity('Crítica', null)).toBeUndefined();
    expect(r.severity('Baja', 'blatam')).toBeUndefined();
  });

  it('lets a team\'s name win over opsroom\'s id inside that system only', () => {
    expect(r.severity('P1', 'ai-multimodel')?.id).toBe('P2');
    expect(r.severity('P0', 'ai-multimodel')?.id).toBe('P1');
    expect(r.severity('P1', 'blatam')?.id).toBe('P1');
    expect(r.severity('P1', null)?.id).toBe('P1');
  });

  it('names a level the team\'s way for display', () => {
    expect(r.severityLabel('P1', 'blatam')).toBe('P1 · Crítica');
    expect(r.severityLabel('P2', 'ai-multimodel')).toBe('P2 · P1');
    expect(r.severityLabel('P4', 'blatam')).toBe('P4');
    expect(r.severityLabel('P1', 'minimarket')).toBe('P1');
    expect(r.severityLabel('P1', null)).toBe('P1');
  });

  it('announces only the chosen severities, by level or team name', () => {
    expect(r.announceChannel('P1', 'blatam')).toBe('C0STATUS');
    expect(r.announceChannel('P2', 'blatam')).toBe('C0STATUS');
    expect(r.announceChannel('P3', 'blatam')).toBeUndefined();
    expect(r.announceChannel('P1', 'minimarket')).toBeUndefined();
  });

  it('knows each system\'s PagerDuty service and people', () => {
    expect(r.pagerService('blatam')).toBe('PBLATAM');
    expect(r.pagerService('minimarket')).toBeUndefined();
    expect(r.responders('blatam')).toEqual(['U0ERIN']);
    expect(r.responders('minimarket')).toEqual([]);
    expect(r.oncall('BLATAM')).toEqual(['S0BLATAM']);
  });

  it('reports names that mean no level, with their path', () => {
    const bad = new SystemRouting({
      systems: SystemsSchema.parse({ bff: { severities: { 'Severidad 1': 'P1', 'Severidad 9': 'P9' }, announce: { channel: 'C0X', severities: ['Severidad 1', 'Urgente'] } } }),
      severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS',
    });
    expect(bad.problems()).toEqual([
      { path: ['systems', 'bff', 'severities', 'Severidad 9'], message: expect.stringContaining('"P9", which is not one of opsroom\'s levels') },
      { path: ['systems', 'bff', 'announce', 'severities', 1], message: expect.stringContaining('"Urgente" is neither') },
    ]);
    expect(r.problems()).toEqual([]);
  });
});
