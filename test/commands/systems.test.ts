import { describe, expect, it } from 'vitest';
import { incidentCommand } from '#commands/incident.js';
import { parseSlash } from '#commands/parse.js';

const choices = { system: ['blatam', 'bff', 'ai-multimodel'], severity: ['Severidad 1', 'Sev 2', 'Crítica'] };
const parse = (t: string) => parseSlash(incidentCommand, t, choices);

describe('/incident grammar with systems', () => {
  it('reads severity, then a system name, then the title', () => {
    expect(parse('open Crítica blatam Sistema caído')).toMatchObject({ ok: true, args: { severity: 'Crítica', system: 'blatam', title: 'Sistema caído' } });
    expect(parse('open P1 BLATAM KV cache down')).toMatchObject({ ok: true, args: { severity: 'P1', system: 'BLATAM', title: 'KV cache down' } });
  });

  it('keeps a word that names no system in the title', () => {
    const r = parse('open P1 checkout API down');
    expect(r).toMatchObject({ ok: true, args: { severity: 'P1', title: 'checkout API down' } });
    expect((r as { args: Record<string, unknown> }).args.system).toBeUndefined();
  });

  it('keeps a system name that is the whole title as the title', () => {
    expect(parse('open P1 blatam')).toMatchObject({ ok: true, args: { title: 'blatam' } });
  });

  it('takes no system at all without choices (no systems configured)', () => {
    const r = parseSlash(incidentCommand, 'open P1 blatam down');
    expect(r).toMatchObject({ ok: true, args: { title: 'blatam down' } });
  });

  it('reads a severity name of several words as one', () => {
    expect(parse('open Severidad 1 bff API caída')).toMatchObject({ ok: true, args: { severity: 'Severidad 1', system: 'bff', title: 'API caída' } });
    expect(parse('open sev 2 bff Celery lento')).toMatchObject({ ok: true, args: { severity: 'sev 2', system: 'bff', title: 'Celery lento' } });
    expect(parse('severity INC-4 Severidad 1')).toMatchObject({ ok: true, incidentId: 4, args: { severity: 'Severidad 1' } });
    // Not the words of a name: one word, as before.
    expect(parse('open Severidad 3 bff x')).toMatchObject({ ok: true, args: { severity: 'Severidad', title: '3 bff x' } });
  });

  it('reads list with an optional system and system with a name', () => {
    expect(parse('list')).toMatchObject({ ok: true, name: 'list', args: {} });
    expect(parse('list blatam')).toMatchObject({ ok: true, name: 'list', args: { system: 'blatam' } });
    expect(parse('system INC-7 bff')).toMatchObject({ ok: true, name: 'system', incidentId: 7, args: { system: 'bff' } });
    expect(parse('system bff')).toMatchObject({ ok: true, name: 'system', incidentId: undefined, args: { system: 'bff' } });
    const missing = parse('system INC-7');
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toMatch(/system is missing/);
  });
});
