import { describe, expect, it } from 'vitest';
import { chooseEscalation } from '#core/runbooks/escalation.js';
import { lint, yaml } from './helpers.js';

const rules = [
  { when: 'No se resuelve en < 15 minutos', then: 'Nivel 2: consultar la guía' },
  { when: 'No se resuelve con la documentación', then: 'Nivel 3: equipo', page: 'blatam-team' },
  { when: 'Si el reinicio no funciona', then: 'Nivel 4: escalación crítica', page: 'blatam-critical', after: ['restart', 'verify'] },
];
const steps = (states: Record<string, string>) => Object.entries(states).map(([stepId, state]) => ({ stepId, state }));

describe('chooseEscalation', () => {
  it('pages the rule whose after: names the failed step, not the first rule with a page', () => {
    const c = chooseEscalation(rules, steps({ ping: 'succeeded', restart: 'failed', verify: 'pending' }));
    expect(c).toMatchObject({ to: 'blatam-critical', index: 2, stepId: 'restart' });
    expect(c.why).toBe('step `restart` failed and this rule covers it (after: restart, verify)');
  });

  it('looks at the latest failed step first', () => {
    expect(chooseEscalation(rules, steps({ ping: 'failed', restart: 'succeeded', verify: 'timed_out' }))).toMatchObject({ to: 'blatam-critical', stepId: 'verify' });
    const only = [rules[1], { ...rules[2], after: ['ping'] }];
    expect(chooseEscalation(only, steps({ ping: 'failed', restart: 'succeeded', verify: 'failed' }))).toMatchObject({ to: 'blatam-critical', stepId: 'ping', index: 1 });
  });

  it('falls back to the first rule for any failure that pages someone', () => {
    const c = chooseEscalation(rules, steps({ ping: 'failed', restart: 'pending' }));
    expect(c).toMatchObject({ to: 'blatam-team', index: 1, stepId: 'ping' });
    expect(c.why).toBe("step `ping` failed and no rule's after: names it, so the first rule for any failure that pages someone");
  });

  it('pages the on-call when no rule for any failure names whom to page', () => {
    expect(chooseEscalation([rules[0], rules[2]], steps({ ping: 'failed' }))).toMatchObject({ to: 'on-call', index: 0, stepId: 'ping' });
    expect(chooseEscalation([], steps({ ping: 'failed' })).rule).toBeUndefined();
    const none = chooseEscalation([rules[2]], steps({ ping: 'failed' }));
    expect([none.to, none.rule]).toEqual(['on-call', undefined]);
  });
});

describe('lint of escalate: after:', () => {
  const runbook = (...rule: string[]) => yaml(
    'title: T',
    'steps:',
    '  - { id: ping, title: Ping, http: { url: "http://x/health" } }',
    '  - { id: verify, title: Verify, http: { url: "http://x/ready" } }',
    'escalate:',
    ...rule,
  );

  it('accepts steps of the runbook with a page', () => {
    expect(lint(runbook('  - { when: W, then: T, page: team, after: [ping, verify] }')).errors).toEqual([]);
  });

  it('rejects an unknown step, a step covered twice, and after: without page:', () => {
    const r = lint(runbook(
      '  - { when: W, then: T, page: team, after: [ping, restrat] }',
      '  - { when: X, then: T, page: other, after: [ping] }',
      '  - { when: Y, then: T, after: [verify] }',
    ));
    expect(r.errors).toEqual([
      expect.stringMatching(/^demo\.yml:6:\d+ .*after: names "restrat", which is not a step of this runbook \(steps: ping, verify\)/),
      expect.stringMatching(/^demo\.yml:7:\d+ .*step "ping" is already covered by escalation rule 1: one rule per step/),
      expect.stringMatching(/^demo\.yml:8:\d+ .*a rule with after: pages someone for those failures: add page:/),
    ]);
  });

  it('rejects an after: that is not a list of step ids', () => {
    expect(lint(runbook('  - { when: W, then: T, page: team, after: [] }')).errors.join('\n')).toMatch(/demo\.yml:6/);
    expect(lint(runbook('  - { when: W, then: T, page: team, after: [Ping!] }')).errors.join('\n')).toMatch(/step ids are lowercase/);
  });
});
