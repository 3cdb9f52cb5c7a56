/** Runbook messages and modals: suggestions, list, live output, approval requests, parameter and confirmation modals. */
import type { DangerousStep } from '#core/runs/step-clicks.js';
import type { RunbookParam } from '#core/runbooks/schema.js';
import { paramInput, RunActions, RunViews } from '../ids.js';
import type { Button, InputBlock, InputBlockElement } from '@slack/types';
import { actions, button, clip, context, option, plain, section, slackDate, type Block, type Modal } from './kit.js';
import { formatMs, STATE_ICON } from './run-card.js';
import { code, escapeMrkdwn, userText } from './mrkdwn.js';
import type { StepState } from '#core/runs/step-state.js';
import { packLines, SECTION_CHARS } from './lists.js';
import { stoppedBy } from '#core/runs/stops.js';

export interface RunbookInfo {
  id: string;
  title: string;
  description?: string;
  keywords: string[];
  matched?: string[];
  /** "last verified …" or "broken since … (why)" (core/verify/freshness.ts). */
  freshness?: string;
}

/** The best matches with Start buttons; `others` (the rest that match) are named below them. */
export function suggestionsMessage(incidentKey: string, items: RunbookInfo[], others: readonly string[] = []): { text: string; blocks: Block[] } {
  const blocks: Block[] = [section(`:books: *Runbooks that match ${incidentKey}*`)];
  for (const r of items) {
    const why = r.matched?.length ? ` — matched ${r.matched.map((m) => code(m)).join(', ')}` : '';
    const s = section(clip(`*${escapeMrkdwn(r.title)}* ${code(r.id)}${why}${freshnessLine(r.freshness)}${r.description ? `\n${escapeMrkdwn(r.description)}` : ''}`, 2900));
    s.accessory = button(RunActions.start, 'Start', r.id, 'primary');
    blocks.push(s);
  }
  if (others.length) {
    const head = `${others.length} more runbook${others.length === 1 ? '' : 's'} match${others.length === 1 ? 'es' : ''}; start one with \`/runbook run &lt;id&gt;\` here:`;
    for (const p of packLines(others.map((id) => code(id)), SECTION_CHARS, head, ', ')) blocks.push(section(p.text));
  }
  return { text: `Runbooks that match ${incidentKey}: ${userText(items.map((r) => r.title).join(', '))}`, blocks };
}

/** A runbook's freshness under its name: a warning when it is broken. */
const freshnessLine = (f: string | undefined) => (f ? `\n${f.startsWith('broken') ? ':warning: ' : ''}_${escapeMrkdwn(f)}_` : '');

/** The tail of some output that fits a section as a code block, cut at a line start where possible. */
const OUTPUT_TAIL_CHARS = 2700;
function outputTail(text: string, max = OUTPUT_TAIL_CHARS): { tail: string; cut: boolean } {
  const safe = escapeMrkdwn(text).replace(/```/g, 'ˋˋˋ');
  if (safe.length <= max) return { tail: safe, cut: false };
  let tail = safe.slice(safe.length - max);
  const nl = tail.indexOf('\n');
  if (nl >= 0 && nl < 400) tail = tail.slice(nl + 1);
  // Never end on a half entity (&am…).
  tail = tail.replace(/^[^&;\s]{0,5};/, '');
  return { tail, cut: true };
}

export interface OutputView {
  runId: number;
  stepId: string;
  title: string;
  attempt: number;
  target: string;
  command: string;
  state: StepState;
  text: string;
  durationMs: number | null;
  exitCode: number | null;
  reason: string | null;
  /** Bytes the engine dropped from the middle (kept output is head + tail). */
  droppedBytes: number;
}

export function outputMessage(v: OutputView): { text: string; blocks: Block[] } {
  const { tail, cut } = outputTail(v.text);
  const head = `${STATE_ICON[v.state]} *${escapeMrkdwn(v.title)}* (${code(v.stepId)}, attempt ${v.attempt}) on ${code(v.target)}\n${code(clip(v.command, 400))}`;
  const blocks: Block[] = [section(clip(head, 2900))];
  blocks.push(section(tail.trim() ? `\`\`\`${tail}\`\`\`` : '_no output yet_'));
  const status = v.state === 'running' ? 'running…' : `${v.state.replace('_', ' ')}${v.durationMs !== null ? ` in ${formatMs(v.durationMs)}` : ''}${v.exitCode !== null ? ` · exit ${v.exitCode}` : ''}`;
  const notes = [status];
  const by = stoppedBy(v.reason);
  if (by) notes.push(`stopped by <@${by}>`);
  else if (v.reason && v.state !== 'succeeded') notes.push(userText(v.reason, 300));
  if (cut || v.droppedBytes) notes.push(v.state === 'running' ? 'showing the latest lines' : 'showing the last lines; the full output is one click away');
  blocks.push(context(notes));
  if (v.state === 'running') blocks.push(actions(`out.${v.runId}.${v.stepId}.${v.attempt}`.slice(0, 255), [stopButton(v)]));
  if ((cut || v.droppedBytes) && v.state !== 'running') blocks.push(actions(`out.${v.runId}.${v.stepId}.${v.attempt}`.slice(0, 255), [button(RunActions.fullOutput, 'Full output', `${v.runId}:${v.stepId}:${v.attempt}`)]));
  return { text: `${userText(v.stepId)}: ${v.state}`, blocks };
}

/** Stop on a running step's output message: the process is killed, the step ends interrupted. */
function stopButton(v: OutputView): Button {
  return {
    ...button(RunActions.stop, 'Stop', `${v.runId}:${v.stepId}:${v.attempt}`, 'danger'),
    confirm: {
      title: plain('Stop this step?'), text: { type: 'mrkdwn', text: clip(`The running ${code(v.stepId)} on ${code(v.target)} is killed and ends as interrupted.`, 300) },
      confirm: plain('Stop it'), deny: plain('Keep running'),
    },
  };
}

/** The whole stored (capped, redacted) output in a modal, in sections that fit. */
export function fullOutputModal(title: string, text: string): Modal {
  const safe = escapeMrkdwn(text).replace(/```/g, 'ˋˋˋ');
  const blocks: Block[] = [];
  for (let at = 0; at < safe.length && blocks.length < 99; at += 2900) blocks.push(section(`\`\`\`${safe.slice(at, at + 2900)}\`\`\``));
  if (!blocks.length) blocks.push(section('_no output_'));
  return { type: 'modal', callback_id: RunViews.output, title: plain(clip(title, 24)), close: plain('Close'), blocks };
}

export function confirmModal(v: DangerousStep): Modal {
  const params = Object.entries(v.params).map(([k, val]) => `${k}=${String(val)}`).join('\n');
  const blocks: Block[] = [
    section(`:warning: *A dangerous step* in ${v.incidentKey} (${escapeMrkdwn(v.severity)})\n*${escapeMrkdwn(v.title)}* ${code(v.stepId)}`),
    section(`*Target*\n${code(v.target)}`),
    section(clip(`*Command*\n\`\`\`${escapeMrkdwn(v.command).replace(/```/g, 'ˋˋˋ')}\`\`\``, 2900)),
    section(clip(`*Parameters*\n${params ? `\`\`\`${escapeMrkdwn(params)}\`\`\`` : '_none_'}`, 2900)),
  ];
  if (v.needsApproval) blocks.push(context([`:busts_in_silhouette: ${escapeMrkdwn(v.severity)} needs a second responder: submitting asks for their approval in the thread. The request is bound to exactly this command and expires in ${v.approvalMinutes} min.`]));
  return {
    type: 'modal', callback_id: RunViews.confirm, title: plain('Confirm dangerous step'),
    submit: plain(v.needsApproval ? 'Request approval' : 'Run it'), close: plain('Cancel'),
    private_metadata: JSON.stringify({ runId: v.runId, stepId: v.stepId, action: v.action, fingerprint: v.fingerprint }), blocks,
  };
}

export interface ApprovalView {
  id: number;
  requestedBy: string;
  title: string;
  stepId: string;
  target: string;
  command: string;
  params: Record<string, unknown>;
  expiresAt: Date;
  /** Set once decided: the line that replaces the buttons. */
  outcome?: string;
}

export function approvalMessage(v: ApprovalView): { text: string; blocks: Block[] } {
  const params = Object.entries(v.params).map(([k, val]) => `${k}=${String(val)}`).join(' ');
  const blocks: Block[] = [
    section(clip(`:lock: <@${v.requestedBy}> asks to run *${escapeMrkdwn(v.title)}* (${code(v.stepId)}) on ${code(v.target)}\n\`\`\`${escapeMrkdwn(v.command).replace(/```/g, 'ˋˋˋ')}\`\`\`${params ? `\nParameters: ${code(params)}` : ''}`, 2900)),
  ];
  if (v.outcome) blocks.push(context([v.outcome]));
  else {
    blocks.push(context([`A second responder must approve. Expires ${slackDate(v.expiresAt, '{time}')}.`]));
    blocks.push(actions(`approval.${v.id}`, [button(RunActions.approve, 'Approve', String(v.id), 'primary'), button(RunActions.reject, 'Reject', String(v.id), 'danger')]));
  }
  return { text: `Approval needed: ${userText(v.title)} on ${userText(v.target)}`, blocks };
}

const input = (name: string, label: string, element: InputBlockElement, optional: boolean, hint?: string): InputBlock => ({
  type: 'input', block_id: paramInput(name), label: plain(label), optional, element: { action_id: paramInput(name), ...element },
  ...(hint ? { hint: plain(clip(hint, 150)) } : {}),
});

/** One typed input per parameter: enums as selects, integers as number inputs, the rest as text. */
export function paramsModal(meta: { incidentId: number; runbookId: string }, title: string, params: Record<string, RunbookParam>, values: Record<string, string>): Modal {
  const blocks: Block[] = [section(`Parameters for *${escapeMrkdwn(title)}* ${code(meta.runbookId)}`)];
  for (const [name, p] of Object.entries(params)) {
    if (p.secret || p.from?.startsWith('env.')) continue;
    const initial = values[name] ?? (p.default !== undefined ? String(p.default) : undefined);
    const optional = !p.required || p.default !== undefined || p.from !== undefined;
    const hint = [p.description, p.pattern && `must match ${p.pattern}`, p.type === 'duration' && 'a duration like 30s, 5m, 1h', p.from && `default: ${p.from}`].filter(Boolean).join(' · ');
    let element: InputBlockElement;
    // A select holds 100 options; a longer list is typed (and checked like any value).
    if (p.type === 'enum' && (p.values ?? []).length <= 100) {
      const options = (p.values ?? []).map((x) => option(x, x));
      const init = options.find((o) => o.value === initial);
      element = { type: 'static_select', options, ...(init && { initial_option: init }) };
    } else if (p.type === 'integer') {
      element = { type: 'number_input', is_decimal_allowed: false, ...(p.min !== undefined && { min_value: String(p.min) }), ...(p.max !== undefined && { max_value: String(p.max) }), ...(initial !== undefined && { initial_value: initial }) };
    } else {
      element = { type: 'plain_text_input', max_length: 1000, ...(initial !== undefined && { initial_value: initial }) };
    }
    blocks.push(input(name, name, element, optional, hint || undefined));
  }
  return {
    type: 'modal', callback_id: RunViews.params, title: plain('Start runbook'), submit: plain('Start'), close: plain('Cancel'),
    private_metadata: JSON.stringify(meta), blocks: blocks.slice(0, 100),
  };
}

/** Reject (or withdraw) a request: the reason goes on the request message and the timeline. */
export function rejectModal(approvalId: number, stepId: string, withdraw: boolean): Modal {
  return {
    type: 'modal', callback_id: RunViews.reject, private_metadata: JSON.stringify({ approvalId }),
    title: plain(withdraw ? 'Withdraw request' : 'Reject request'), submit: plain(withdraw ? 'Withdraw' : 'Reject'), close: plain('Cancel'),
    blocks: [
      section(`${withdraw ? 'Withdraw your' : 'Reject the'} request to run ${code(stepId)}. Say why: the requester and the timeline see it.`),
      { type: 'input', block_id: 'reason', label: plain('Reason'), element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 500 } },
    ],
  };
}

/** Skip a step: who and why go on the run card and the timeline. */
export function skipModal(runId: number, stepId: string, title: string): Modal {
  return {
    type: 'modal', callback_id: RunViews.skip, private_metadata: JSON.stringify({ runId, stepId }),
    title: plain('Skip step'), submit: plain('Skip'), close: plain('Cancel'),
    blocks: [
      section(clip(`Skip *${escapeMrkdwn(title)}* (${code(stepId)})? Say why: it stays on the run card beside your name.`, 2900)),
      { type: 'input', block_id: 'reason', label: plain('Reason'), element: { type: 'plain_text_input', action_id: 'reason', max_length: 300 } },
    ],
  };
}
