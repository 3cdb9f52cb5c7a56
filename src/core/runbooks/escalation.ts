/**
 * Which escalation rule the Escalate button pages, from the run's failed steps:
 * 1. the latest failed step (in runbook order) that a rule's `after:` names → that rule;
 * 2. else the first rule without `after:` that has a `page:`;
 * 3. else nobody named: the on-call (the rule shown is the first without `after:`, if any).
 */
import type { EscalationRule } from './schema.js';
import type { Path } from './yaml-source.js';

const DEFAULT_ESCALATION = 'on-call';

export interface EscalationChoice {
  /** Who is paged. */
  to: string;
  rule?: EscalationRule;
  /** The rule's position in the runbook's `escalate:` (0-based). */
  index?: number;
  /** The failed step the choice is about, when there is one. */
  stepId?: string;
  /** Why this rule, in one line. */
  why: string;
}

const FAILED = new Set(['failed', 'timed_out']);

export function chooseEscalation(rules: readonly EscalationRule[], steps: ReadonlyArray<{ stepId: string; state: string }>): EscalationChoice {
  const failed = steps.filter((s) => FAILED.has(s.state)).map((s) => s.stepId);
  for (const stepId of [...failed].reverse()) {
    const index = rules.findIndex((r) => r.after?.includes(stepId) && r.page);
    if (index >= 0) return { to: rules[index].page!, rule: rules[index], index, stepId, why: `step \`${stepId}\` failed and this rule covers it (after: ${rules[index].after!.join(', ')})` };
  }
  const stepId = failed.at(-1);
  const failure = stepId ? `step \`${stepId}\` failed and no rule's after: names it` : 'no step failed';
  const general = rules.map((r, index) => ({ r, index })).filter((x) => !x.r.after);
  const paging = general.find((x) => x.r.page);
  if (paging) return { to: paging.r.page!, rule: paging.r, index: paging.index, stepId, why: `${failure}, so the first rule for any failure that pages someone` };
  const first = general[0];
  return { to: DEFAULT_ESCALATION, ...(first && { rule: first.r, index: first.index }), stepId, why: `${failure}, and no rule for any failure pages anyone, so the on-call` };
}

/** Lint of `escalate:`: `after:` names steps of the runbook, each at most once, and goes with `page:`. */
export function checkEscalation(rules: readonly EscalationRule[], stepIds: readonly string[], err: (path: Path, message: string) => void): void {
  const coveredBy = new Map<string, number>();
  rules.forEach((r, i) => {
    if (!r.after) return;
    if (!r.page) err(['escalate', i, 'after'], 'a rule with after: pages someone for those failures: add page: <policy or team>');
    r.after.forEach((id, j) => {
      if (!stepIds.includes(id)) err(['escalate', i, 'after', j], `after: names "${id}", which is not a step of this runbook (steps: ${stepIds.join(', ')})`);
      else if (coveredBy.has(id)) err(['escalate', i, 'after', j], `step "${id}" is already covered by escalation rule ${coveredBy.get(id)! + 1}: one rule per step`);
      else coveredBy.set(id, i);
    });
  });
}
