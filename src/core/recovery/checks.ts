/** Which steps are remediations, and which checks verify one (see docs/remediation.md, *Verified recovery*). */
import { readOnly } from '../runs/expect.js';
import type { ResolvedStep } from '../runs/step-runner.js';

/** A step that changes the system to end the impact: dangerous, or a docker restart or start. */
export function isRemediation(step: ResolvedStep): boolean {
  const c = step.command;
  if (c.kind === 'docker' && (c.action === 'restart' || c.action === 'start')) return true;
  return step.danger && (c.kind === 'docker' || c.kind === 'ssh' || c.kind === 'http' || c.kind === 'kubernetes');
}

/**
 * The checks that verify a remediation: the read-only steps that follow it in the runbook, waits
 * passed over, up to the first step that is neither (a manual step, an escalation, another change).
 * Empty when none follows: nothing can be verified.
 */
export function verificationChecks(steps: readonly { stepId: string; step: ResolvedStep }[], remediationId: string): string[] {
  const at = steps.findIndex((s) => s.stepId === remediationId);
  if (at < 0) return [];
  const checks: string[] = [];
  for (const s of steps.slice(at + 1)) {
    if (s.step.command.kind === 'wait') continue;
    if (!readOnly(s.step)) break;
    checks.push(s.stepId);
  }
  return checks;
}
