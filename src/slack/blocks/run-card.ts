/** The run card: one line per step with its state, target, duration and buttons; updated in place. */
import type { StepState } from '../../core/runs/step-state.js';
import { RunActions } from '../ids.js';
import { actions, button, clip, context, header, section, type Block } from './kit.js';
import { code, escapeMrkdwn, userText } from './mrkdwn.js';

export interface CardStep {
  stepId: string;
  title: string;
  state: StepState;
  target: string;
  dangerous: boolean;
  manual: boolean;
  diagnostic: boolean;
  attempts: number;
  durationMs: number | null;
  actor: string | null;
  approvedBy: string | null;
  reason: string | null;
}

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
}

export const STATE_ICON: Record<StepState, string> = {
  pending: ':white_circle:', running: ':hourglass_flowing_sand:', succeeded: ':white_check_mark:', failed: ':x:',
  timed_out: ':alarm_clock:', skipped: ':fast_forward:', interrupted: ':octagonal_sign:',
};

export { code, escapeMrkdwn };

export const stepValue = (runId: number, stepId: string) => `${runId}:${stepId}`;

export function formatMs(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function stepLine(s: CardStep, n: number): string {
  const flags = [s.dangerous && ':warning: dangerous', s.manual && 'manual'].filter(Boolean).join(' · ');
  const bits = [code(s.target), s.state.replace('_', ' ')];
  if (s.durationMs !== null && s.state !== 'pending') bits.push(formatMs(s.durationMs));
  if (s.attempts > 1) bits.push(`attempt ${s.attempts}`);
  if (s.actor && s.state !== 'pending') bits.push(`by <@${s.actor}>${s.approvedBy ? `, approved by <@${s.approvedBy}>` : ''}`);
  const reason = s.reason && s.state !== 'succeeded' && s.state !== 'pending' ? `\n_${userText(s.reason, 300)}_` : '';
  return `${STATE_ICON[s.state]} *${n}. ${escapeMrkdwn(s.title)}*${flags ? `  ${flags}` : ''}\n${bits.join(' · ')}${reason}`;
}

function stepButtons(runId: number, s: CardStep): Block[] {
  const v = stepValue(runId, s.stepId);
  const runLabel = s.manual ? 'Mark done' : s.dangerous ? 'Run…' : 'Run';
  if (s.state === 'pending') return [button(RunActions.run, runLabel, v, s.dangerous ? 'danger' : 'primary'), button(RunActions.skip, 'Skip', v)];
  if (s.state === 'failed' || s.state === 'timed_out' || s.state === 'interrupted') {
    return [button(RunActions.retry, s.dangerous ? 'Retry…' : 'Retry', v, s.dangerous ? 'danger' : 'primary'), button(RunActions.skip, 'Skip', v)];
  }
  return [];
}

export function cardText(m: CardModel): string {
  return `Runbook ${userText(m.title)} (run ${m.runId}): ${m.state}`;
}

export function runCard(m: CardModel): Block[] {
  const blocks: Block[] = [header(`Runbook: ${m.title}`)];
  const params = Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  const approval = m.requiresApproval ? ` · dangerous steps need a second responder (${m.severity})` : '';
  blocks.push(context([clip(`Run ${m.runId} · ${code(m.runbookId)} · started by <@${m.startedBy}>${m.incidentKey ? ` · ${m.incidentKey}` : ''} · *${m.state}*${params ? ` · ${code(params)}` : ''}${approval}`, 2900)]));
  // Two blocks per step fit up to 22 steps in Slack's 50; beyond that the main button rides on the line.
  const compact = m.steps.length * 2 + 6 > 50;
  m.steps.forEach((s, i) => {
    const line = section(clip(stepLine(s, i + 1), 2900));
    const buttons = stepButtons(m.runId, s);
    if (compact) {
      if (buttons[0]) line.accessory = buttons[0];
      blocks.push(line);
    } else {
      blocks.push(line);
      if (buttons.length) blocks.push(actions(`step.${m.runId}.${s.stepId}`.slice(0, 255), buttons));
    }
  });
  const failed = m.steps.some((s) => s.state === 'failed' || s.state === 'timed_out');
  const bottom: Block[] = [];
  if (m.steps.some((s) => s.diagnostic && s.state === 'pending')) bottom.push(button(RunActions.diagnostics, 'Run diagnostics', String(m.runId), 'primary'));
  if (failed) {
    const rules = m.escalations.length ? m.escalations : [{ when: 'A step failed', then: 'Escalate to on-call' }];
    blocks.push(section(clip(`:rotating_light: *Escalation*\n${rules.map((r) => `• ${escapeMrkdwn(r.when)} → ${escapeMrkdwn(r.then)}${'page' in r && r.page ? ` (page ${code(r.page)})` : ''}`).join('\n')}`, 2900)));
    const first = m.escalations.find((r) => r.page) ?? m.escalations[0];
    bottom.push(button(RunActions.escalate, first?.page ? `Escalate to ${first.page}` : 'Escalate', String(m.runId), 'danger'));
  }
  if (bottom.length) blocks.push(actions(`run.${m.runId}`, bottom));
  return blocks;
}
