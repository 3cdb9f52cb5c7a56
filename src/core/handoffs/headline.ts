/** The one-line headline: "2 open, 1 P1 · 3 resolved · 1 failed restart". */
import { severityRank, type Severity } from '../incidents/severity.js';
import { isUnsuccessful, type StepState } from '../runs/step-state.js';
import type { HandoffSummary } from './model.js';

const VERBS = ['restart', 'rollback', 'deploy', 'scale', 'stop', 'start', 'failover', 'flush', 'migrate'];
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What kind of action a step is, from its id/title: "restart", else "step". */
function stepVerb(s: { stepId: string; title: string }): string {
  const words = `${s.stepId} ${s.title}`.toLowerCase();
  return VERBS.find((v) => new RegExp(`\\b${v}`).test(words)) ?? 'step';
}

export function headline(s: Omit<HandoffSummary, 'headline'>, severities: readonly Severity[]): string {
  const parts: string[] = [];
  if (s.open.length) {
    const top = [...s.open].sort((a, b) => severityRank(a.severity, severities) - severityRank(b.severity, severities))[0].severity;
    const nTop = s.open.filter((i) => i.severity === top).length;
    parts.push(`${s.open.length} open, ${nTop} ${top}`);
  } else {
    parts.push('nothing open');
  }
  const resolved = s.shift.filter((i) => i.resolvedInShift).length;
  if (resolved) parts.push(`${resolved} resolved`);
  const failed = new Map<string, number>();
  for (const st of s.steps.notable) {
    if (!isUnsuccessful(st.state as StepState)) continue;
    const v = stepVerb(st);
    failed.set(v, (failed.get(v) ?? 0) + 1);
  }
  for (const [v, n] of [...failed.entries()].sort((a, b) => b[1] - a[1])) parts.push(`${n} failed ${n === 1 ? v : `${v}s`}`);
  if (s.pages.length) parts.push(plural(s.pages.length, 'page'));
  if (s.unansweredReminders.length) parts.push(plural(s.unansweredReminders.length, 'unanswered reminder'));
  if (s.checks.state === 'ran' && !s.checks.ok) parts.push('handoff checks failed');
  if (parts.length === 1 && !s.open.length && !s.steps.total && !s.notes.length) return 'Quiet shift: nothing open, nothing happened';
  return parts.join(' · ');
}
