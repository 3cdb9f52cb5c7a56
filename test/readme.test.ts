/** The README lists every `opsroom` subcommand and every control the incident card has. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/incidents/incident.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { incidentCard } from '#slack/blocks/card.js';
import { usage } from '#src/cli.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const T0 = new Date('2026-12-01T14:00:00Z');
const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 3, title: 'Checkout down', severity: 'P1', status: 'investigating', commander: 'U0ALICE', openedBy: 'U0ALICE',
  summary: null, service: null, system: null, channel: 'C0INCIDENTS', sourceChannel: 'C0GENERAL', cardTs: null, createdAt: T0,
  acknowledgedAt: null, acknowledgedBy: null, mitigatedAt: null, resolvedAt: null, resolution: null, lastUpdateAt: T0,
  lastReminderAt: null, version: 1, ...over,
});
const followUp = { id: 1, incidentId: 3, text: 'Add an alert', owner: null, createdBy: 'U0ALICE', createdAt: T0, doneBy: null, doneAt: null, issueUrl: null };

/** What each button and menu of a card says: button texts, menu placeholders. */
function controls(blocks: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as { type?: string; text?: { text?: string }; placeholder?: { text?: string } };
    if (o.type === 'button' && o.text?.text) out.push(o.text.text);
    else if (/select$/.test(o.type ?? '') && o.placeholder?.text) out.push(o.placeholder.text);
    Object.values(o).forEach(walk);
  };
  walk(blocks);
  return [...new Set(out)];
}

describe('README', () => {
  it('lists every opsroom subcommand in its CLI block', async () => {
    const text = await usage();
    const names = text.split('\n').map((l) => /^ {2}([a-z][a-z0-9-]*) /.exec(l)?.[1]).filter(Boolean);
    expect(names).toContain('audit');
    // Each with its whole summary; helper files of the commands (cli/names.ts) are not listed.
    expect(text).toContain("postmortem print an incident's postmortem draft (INC-7 --format md|json)");
    expect(names).not.toContain('names');
    for (const line of text.split('\n').filter((l) => /^ {2}[a-z]/.test(l))) expect(line).toMatch(/^ {2}[a-z-]+ +\S/);
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const n of names) expect(README, n).toContain(`npm run opsroom -- ${n} `);
  });

  it('names every button and menu of the card, open and resolved', () => {
    const buttons = README.slice(README.indexOf("The card's buttons"), README.indexOf('`/incident list`\nlinks')).replace(/\s+/g, ' ');
    const open = controls(incidentCard(incident(), { severities: DEFAULT_SEVERITIES, now: T0, escalate: true, followUps: [followUp] }));
    const resolved = controls(incidentCard(incident({ status: 'resolved', resolvedAt: T0 }), { severities: DEFAULT_SEVERITIES, now: T0 }));
    expect(open).toEqual(expect.arrayContaining(['Acknowledge', 'Resolve', 'Escalate', 'Done']));
    expect(resolved).toContain('Reopen');
    for (const c of [...open, ...resolved]) expect(buttons, c).toContain(c);
  });
});
