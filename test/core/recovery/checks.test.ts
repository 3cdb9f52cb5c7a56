import { describe, expect, it } from 'vitest';
import { loadInventory } from '#core/inventory/loader.js';
import { isRemediation, verificationChecks } from '#core/recovery/checks.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { renderSteps } from '#core/runbooks/render.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { step } from '../runs/support/scripted-runner.js';

const list = (steps: ResolvedStep[]) => steps.map((s) => ({ stepId: s.id, step: s }));
const restart = step('restart', { command: { kind: 'docker', target: { container: 'web' }, action: 'restart' }, danger: true });
const get = (id: string) => step(id, { command: { kind: 'http', method: 'GET', url: `http://web/${id}` } });

describe('verification checks of a remediation', () => {
  it('a remediation is a dangerous docker, ssh or http step, or a docker restart or start', () => {
    expect(isRemediation(restart)).toBe(true);
    expect(isRemediation(step('start', { command: { kind: 'docker', target: { container: 'web' }, action: 'start' } }))).toBe(true);
    expect(isRemediation(step('flush', { danger: true }))).toBe(true);
    expect(isRemediation(get('health'))).toBe(false);
    expect(isRemediation(step('ask', { command: { kind: 'manual', instruction: 'call Bob' }, danger: true }))).toBe(false);
  });

  it('the read-only steps after it, waits passed over, up to the first step that is neither', () => {
    const steps = [get('before'), restart, step('settle', { command: { kind: 'wait', seconds: 5 } }), get('health'),
      step('ps', { command: { kind: 'ssh', host: 'web1', command: 'ps aux' }, readOnly: true }),
      step('note', { command: { kind: 'manual', instruction: 'write it down' } }), get('after-note')];
    expect(verificationChecks(list(steps), 'restart')).toEqual(['health', 'ps']);
    // An ssh command not declared read-only ends the checks.
    expect(verificationChecks(list([restart, get('a'), step('touch'), get('b')]), 'restart')).toEqual(['a']);
    expect(verificationChecks(list([get('a'), restart]), 'restart')).toEqual([]);
    expect(verificationChecks(list([restart]), 'missing')).toEqual([]);
  });

  it('on the seed dashboard-down: the simple restart is verified by verify, the stops by nothing', async () => {
    const { runbooks } = await loadRunbooks('runbooks/minimarket');
    const rb = runbooks.find((r) => r.id === 'minimarket/dashboard-down')!;
    // Its HTTP checks name the system's bases, so it renders against the shipped example inventory.
    const { inventory } = await loadInventory('examples/inventory.yml');
    const steps = list(renderSteps(rb, {}, {}, inventory));
    expect(verificationChecks(steps, 'restart')).toEqual(['verify']);
    expect(verificationChecks(steps, 'stop-dashboard')).toEqual([]);
    expect(verificationChecks(steps, 'start-dashboard')[0]).toBe('ps-after');
  });
});
