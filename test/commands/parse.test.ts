import { describe, expect, it } from 'vitest';
import { incidentCommand } from '#commands/incident.js';
import { parseSlash } from '#commands/parse.js';
import { unsaid } from '#core/said.js';

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
      expect(unsaid(r.error)).toMatch(reason);
      expect(r.usage.map((u) => u.usage).join('\n')).toContain('/incident');
    }
  });

  it.each([
    ['resolv INC-1', 'Did you mean `/incident resolve`?'],
    ['staus INC-1 identified', 'Did you mean `/incident status`?'],
    ['li', 'Did you mean `/incident list`?'],
    ['status INC-2 identifed', 'Did you mean `identified`?'],
    ['status INC-2 monitor', 'Did you mean `monitoring`?'],
  ])('suggests the nearest word for %s', (text, hint) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(hint);
  });
  it('suggests nothing for a word far from every subcommand, or as close to two', () => {
    for (const text of ['deploy now', 're']) {
      const r = parse(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).not.toContain('Did you mean');
    }
  });
  it('reads free text as typed: mentions, channels, broadcasts and links Slack formatted read back as words', () => {
    const r = parse('open P1 Checkout down, <@U0CAROL|carol> in <#C0GENERAL|general> <!here> <!subteam^S0ONCALL|@oncall> see <https://status.example/x>');
    expect(r).toMatchObject({ ok: true, args: { title: 'Checkout down, @carol in #general @here @oncall see https://status.example/x' } });
    // Typed as characters, markup arrives as entities and stays text.
    expect(parse('update INC-1 &lt;!here&gt; is not a mention')).toMatchObject({ ok: true, args: { text: '<!here> is not a mention' } });
    // A positional argument keeps the mention itself.
    expect(parse('assign INC-1 <@U0CAROL|carol>')).toMatchObject({ ok: true, args: { user: '<@U0CAROL|carol>' } });
  });
  it('reads the entities Slack sends as the characters they stand for, and marks the typed words', () => {
    expect(parse('open P1 a &lt;b&gt; &amp; c')).toMatchObject({ ok: true, args: { title: 'a <b> & c' } });
    const r = parse('ack &lt;!channel&gt;');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('Unexpected "\uE000<!channel>\uE001".');
  });
});
