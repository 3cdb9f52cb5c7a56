/** The run card's escalation: the chosen rule marked, its button's confirmation, none once recovered. */
import { describe, expect, it } from 'vitest';
import { runCard, type CardModel, type CardStep } from '#slack/blocks/run-card.js';

const step = (stepId: string, state: CardStep['state']): CardStep => ({
  stepId, title: stepId, state, target: 'docker:blatam/redis', dangerous: stepId === 'restart', manual: false,
  diagnostic: false, attempts: 1, durationMs: 10, actor: null, approvedBy: null, reason: null,
});
const model = (state: string, steps: CardStep[]): CardModel => ({
  runId: 7, runbookId: 'blatam/system-down', title: 'Sistema caído', incidentKey: 'INC-1', severity: 'P1', requiresApproval: true,
  startedBy: 'U0ALICE', params: {}, state, steps,
  escalations: [
    { when: 'No se resuelve con la documentación', then: 'Nivel 3', page: 'blatam-team' },
    { when: 'Incidente crítico', then: 'Nivel 4', page: 'blatam-critical', after: ['restart', 'verify'] } as never,
  ],
});
const buttonsOf = (blocks: unknown[]) => JSON.parse(JSON.stringify(blocks)).flatMap((b: any) => b.elements ?? []).filter((e: any) => e.action_id === 'run.escalate');

describe('run card escalation', () => {
  it('a failed verify marks the rule covering it and its button pages that rule, with a confirmation', () => {
    const blocks = runCard(model('failed', [step('ps', 'failed'), step('restart', 'succeeded'), step('verify', 'failed')]));
    const [b] = buttonsOf(blocks);
    expect(b.text.text).toBe('Escalate to blatam-critical');
    expect(b.confirm.text.text).toContain('Rule 2: *Incidente crítico* → Nivel 4');
    const text = JSON.stringify(blocks);
    expect(text).toContain(':point_right: Incidente crítico');
    expect(text).toContain('• No se resuelve con la documentación');
  });

  it('a recovered run offers no escalation, though a diagnostic failed before the fix', () => {
    const blocks = runCard(model('recovered', [step('ps', 'failed'), step('restart', 'succeeded'), step('verify', 'succeeded')]));
    expect(buttonsOf(blocks)).toEqual([]);
    expect(JSON.stringify(blocks)).not.toContain('Escalation');
  });
});
