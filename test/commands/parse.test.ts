import { describe, expect, it } from 'vitest';
import { incidentCommand } from '../../commands/incident.js';
import { parseSlash } from '../../commands/parse.js';

const parse = (t: string) => parseSlash(incidentCommand, t);

describe('/incident grammar', () => {
  it('reads open with severity then title', () => {
    expect(parse('open P1 Checkout API down')).toMatchObject({ ok: true, name: 'open', args: { severity: 'P1', title: 'Checkout API down' } });
  });
  it('opens a form with no arguments', () => {
    expect(parse('')).toMatchObject({ ok: true, form: true });
    expect(parse('open')).toMatchObject({ ok: true, form: true });
  });
  it('takes INC-n as the first argument of incident subcommands', () => {
    expect(parse('update INC-7 db is back')).toMatchObject({ ok: true, incidentId: 7, args: { text: 'db is back' } });
    expect(parse('ack inc-12')).toMatchObject({ ok: true, incidentId: 12 });
    expect(parse('ack')).toMatchObject({ ok: true, incidentId: undefined });
  });
  it.each([
    ['bogus', /Unknown subcommand "bogus"/],
    ['open P1', /title is missing/],
    ['open P1 ' + 'x'.repeat(121), /longer than 120/],
    ['status INC-2 fixing', /investigating, identified or monitoring/],
    ['ack now please', /Unexpected "now please"/],
    ['severity INC-3', /severity is missing/],
  ])('refuses %s with a reason and the usage', (text, reason) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(reason);
      expect(r.usage).toContain('/incident');
    }
  });
});
