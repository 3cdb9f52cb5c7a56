/** The run card: one line per step with its state, target, duration and buttons; updated in place. */
import type { StepState } from '#core/runs/step-state.js';
import { RunActions } from '../ids.js';
import { chooseEscalation, type EscalationChoice } from '#core/runbooks/escalation.js';
import type { Button, ConfirmationDialog } from '@slack/types';
import { actions, button, clip, context, header, plain, section, type Block } from './kit.js';
import { code, escapeMrkdwn, userText } from './mrkdwn.js';
import { type CardStep, stepBlocks } from './run-card-steps.js';

export type { CardStep };

export interface CardModel {
  runId: number;
  runbookId: string;
  title: string;
  incidentKey: string | null;
  severity: string | null;
  requiresApproval: boolean;
  startedBy: string;
  params: Record<string, unknown>;
  state: string;
  steps: CardStep[];
  escalations: Array<{ when: string; then: string; page?: string }>;
  /** The rule the Escalate button pages (core/runbooks/escalation.ts); computed from the steps when absent. */
  escalation?: EscalationChoice;
  /** The runbook's freshness: "last verified …" or "broken since … (why)". */
  freshness?: string;
}

export const STATE_ICON: Record<StepState, string> = {
  pending: ':white_circle:', running: ':hourglass_flowing_sand:', succeeded: ':white_check_mark:', failed: ':x:',
  timed_out: ':alarm_clock:', skipped: ':fast_forward:', interrupted: ':octagonal_sign:',
};

export { code, escapeMrkdwn };

export function formatMs(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function stepLine(s: CardStep, n: number, short = false): string {
  const flags = [s.dangerous && ':warning: dangerous', s.manual && 'manual'].filter(Boolean).join(' · ');
  const bits = [code(s.target), s.state.replace('_', ' ')];
  if (s.durationMs !== null && s.state !== 'pending') bits.push(formatMs(s.durationMs));
  if (s.attempts > 1) bits.push(`attempt ${s.attempts}`);
  if (s.actor && s.state !== 'pending') bits.push(`by <@${s.actor}>${s.approvedBy ? `, approved by <@${s.approvedBy}>` : ''}`);
  const reason = !short && s.reason && s.state !== 'succeeded' && s.state !== 'pending' ? `\n_${userText(s.reason, 300)}_` : '';
  const title = short ? clip(s.title, 80) : s.title;
  return `${STATE_ICON[s.state]} *${n}. ${escapeMrkdwn(title)}*${flags ? `  ${flags}` : ''}\n${bits.join(' · ')}${reason}`;
}

export function cardText(m: CardModel): string {
  return `Runbook ${userText(m.title)} (run ${m.runId}): ${m.state}`;
}

export function runCard(m: CardModel): Block[] {
  const blocks: Block[] = [header(`Runbook: ${m.title}`)];
  const params = Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  const approval = m.requiresApproval ? ` · dangerous steps need a second responder (${m.severity})` : '';
  blocks.push(context([clip(`Run ${m.runId} · ${code(m.runbookId)} · started by ${/^[UW][A-Z0-9]+$/.test(m.startedBy) ? `<@${m.startedBy}>` : code(m.startedBy === 'opsroom:schedule' ? 'its schedule' : m.startedBy)}${m.incidentKey ? ` · ${m.incidentKey}` : ''} · *${m.state}*${params ? ` · ${code(params)}` : ''}${approval}`, 2900)]));
  // A recovered run (its fix verified) needs no escalation, whatever failed before the fix.
  const failed = m.state !== 'recovered' && m.steps.some((s) => s.state === 'failed' || s.state === 'timed_out');
  const bottom: Button[] = [];
  if (m.steps.some((s) => s.diagnostic && s.state === 'pending')) bottom.push(button(RunActions.diagnostics, 'Run diagnostics', String(m.runId), 'primary'));
  if (failed) {
    const rules = m.escalations.length ? m.escalations : [{ when: 'A step failed', then: 'Escalate to on-call' }];
    const chosen = m.escalation ?? chooseEscalation(m.escalations, m.steps);
    const line = (r: (typeof rules)[number], i: number) =>
      `${i === chosen.index ? ':point_right:' : '•'} ${escapeMrkdwn(r.when)} → ${escapeMrkdwn(r.then)}${'page' in r && r.page ? ` (page ${code(r.page)})` : ''}`;
    blocks.push(section(clip(`:rotating_light: *Escalation*\n${rules.map(line).join('\n')}\n_Escalate pages ${code(chosen.to)}: ${escapeMrkdwn(chosen.why)}_`, 2900)));
    bottom.push(button(RunActions.escalate, `Escalate to ${chosen.to}`, String(m.runId), 'danger', escalateConfirm(chosen)));
  }
  if (bottom.length) blocks.push(actions(`run.${m.runId}`, bottom));
  if (m.freshness) blocks.push(context([clip(`${m.freshness.startsWith('broken') ? ':warning: Runbook ' : 'Runbook '}${escapeMrkdwn(m.freshness)}`, 2900)]));
  // Every step keeps every action however long the runbook is (run-card-steps.ts).
  const steps = stepBlocks(m.runId, m.steps, blocks.length, stepLine);
  return [...blocks.slice(0, 2), ...steps, ...blocks.slice(2)];
}

/** The dialog before Escalate pages: whom, by which rule, and why that rule. */
function escalateConfirm(c: EscalationChoice): ConfirmationDialog {
  const rule = c.rule ? `Rule ${c.index! + 1}: *${escapeMrkdwn(c.rule.when)}* → ${escapeMrkdwn(c.rule.then)}\n` : '';
  return {
    title: plain('Escalate?'), text: { type: 'mrkdwn', text: clip(`Pages ${code(c.to)}.\n${rule}Why: ${escapeMrkdwn(c.why)}`, 300) },
    confirm: plain(`Page ${clip(c.to, 20)}`), deny: plain('Cancel'), style: 'danger',
  };
}
