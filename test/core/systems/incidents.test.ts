import { describe, expect, it } from 'vitest';
import type { NewEffect } from '#core/effects.js';
import type { Incident } from '#core/incidents/incident.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { saidParts } from '#core/said.js';
import { decideMove, levelFor, openingEffects, raisedEffects, systemFor } from '#core/systems/incidents.js';
import { SystemRouting, SystemsSchema } from '#core/systems/index.js';
import { noticeText, payloadText } from '#slack/lines/index.js';

const routing = new SystemRouting({
  systems: SystemsSchema.parse({
    blatam: { channel: 'C0BLATAM', announce: { channel: 'C0STATUS', severities: ['Crítica'] }, severities: { Crítica: 'P1', Alta: 'P2' }, people: { oncall: ['S0ONCALL', 'U0ERIN'] } },
    bff: { channel: 'C0BFF', announce: { channel: 'C0STATUS', severities: ['P1'] } },
  }),
  severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS',
});
const T = new Date('2026-12-01T10:00:00Z');
const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 7, title: 'Sistema caído', severity: 'P2', status: 'investigating', commander: 'U0ALICE', openedBy: 'U0ALICE', summary: null,
  service: null, system: 'blatam', channel: 'C0BLATAM', sourceChannel: 'C0GENERAL', cardTs: '1.1', createdAt: T, acknowledgedAt: null,
  acknowledgedBy: null, mitigatedAt: null, resolvedAt: null, resolution: null, lastUpdateAt: T, lastReminderAt: null, version: 1, ...over,
});
// Payloads as the chat adapter posts them: each fact rendered to its text.
const texts = (effects: NewEffect[]) => effects.map(({ payload: p }): { type: string; text?: string; channel?: string } =>
  p.type === 'thread' ? { type: p.type, text: payloadText(p) } : p.type === 'notice' ? { type: p.type, channel: p.channel, text: noticeText(p) } : p);

describe('systems in the incident use-cases', () => {
  it('finds the system typed, else the channel\'s, and refuses an unknown one', () => {
    expect(systemFor(routing, 'BFF')).toBe('bff');
    expect(systemFor(routing, undefined, 'C0BLATAM')).toBe('blatam');
    expect(systemFor(routing, null, 'C0GENERAL')).toBeNull();
    expect(() => systemFor(routing, 'bfff')).toThrow(/Unknown system .*Did you mean bff\?/);
    expect(() => systemFor(undefined, 'bff')).toThrow(/No systems are configured/);
  });

  it('reads a level in a system and says which names it knows', () => {
    expect(levelFor(routing, DEFAULT_SEVERITIES, 'alta', 'blatam').id).toBe('P2');
    expect(() => levelFor(routing, DEFAULT_SEVERITIES, 'Critica!', 'blatam')).toThrow(/Use one of: P1, P2, P3, P4 or blatam's names: Crítica, Alta\./);
    expect(() => levelFor(routing, DEFAULT_SEVERITIES, 'Altaa', 'blatam')).toThrow(/Did you mean Alta\?/);
    expect(() => levelFor(undefined, DEFAULT_SEVERITIES, 'Crítica', null)).toThrow(/Unknown severity/);
  });

  it('tells the on call and the announcement channel when it opens, only for chosen severities', () => {
    const p1 = texts(openingEffects(routing, 'P1', 'blatam', 'Sistema <caído>'));
    expect(p1[0].text).toBe(':bell: \uE000blatam\uE001 on call: <!subteam^S0ONCALL> <@U0ERIN>');
    expect(p1[1]).toMatchObject({ type: 'notice', channel: 'C0STATUS' });
    expect(saidParts(p1[1].text!).filter((x) => x.said).map((x) => x.text)).toEqual(['blatam', 'Sistema <caído>']);
    expect(texts(openingEffects(routing, 'P2', 'blatam', 'x'))).toHaveLength(1);
    expect(openingEffects(routing, 'P1', null, 'x')).toEqual([]);
  });

  it('announces a rise into an announced level once', () => {
    expect(texts(raisedEffects(routing, incident(), 'P1'))).toEqual([{ type: 'notice', channel: 'C0STATUS', text: expect.stringContaining('INC-7 in \uE000blatam\uE001 is now P1 · Crítica') }]);
    expect(raisedEffects(routing, incident({ severity: 'P1' }), 'P1')).toEqual([]);
    expect(raisedEffects(routing, incident(), 'P3')).toEqual([]);
  });

  it('moves: a system event, a note in the new channel, the announcement when the level is announced there', () => {
    const d = decideMove(routing, incident({ severity: 'P1' }), 'U0BOB', 'bff', T);
    expect(d.patch).toEqual({ system: 'bff' });
    expect(d.events).toEqual([{ at: T, actor: 'U0BOB', kind: 'system', text: 'System blatam → bff', data: { from: 'blatam', to: 'bff' } }]);
    const out = texts(d.effects);
    expect(out.map((e) => e.channel ?? 'thread')).toEqual(['thread', 'thread', 'C0BFF']);
    // C0STATUS was already told by blatam for P1: not twice.
    expect(() => decideMove(routing, incident(), 'U0BOB', 'blatam', T)).toThrow(/already in blatam/);
  });

  it('a stored system that is not configured (an alert label) is shown as someone else\'s words', () => {
    const d = decideMove(routing, incident({ system: '<!channel>', channel: 'C0INCIDENTS' }), 'U0BOB', 'blatam', T);
    for (const e of texts(d.effects).filter((x) => x.text)) {
      const marked = saidParts(e.text!).filter((x) => x.said).map((x) => x.text);
      if (e.text!.includes('<!channel>')) expect(marked).toContain('<!channel>');
    }
    expect(texts(d.effects).some((e) => e.text?.includes('<!channel>'))).toBe(true);
  });
});
