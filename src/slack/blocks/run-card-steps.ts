/**
 * The steps of a run card, laid out to fit Slack's 50 blocks with every action on every step:
 * - up to 22 steps: a line and a row of buttons each;
 * - up to 44: a line each with its button, or a menu (Run/Retry/Skip) when it has more than one;
 * - more: the lines in a few sections, and pickers (Run a step…, Retry…, Skip…, Stop…).
 * A running step offers Stop (manual ones excepted: the person marks them done).
 */
import { RunActions } from '../ids.js';
import type { ActionsBlock, Button, ConfirmationDialog, Overflow, SectionBlock, StaticSelect } from '@slack/types';
import { actions, button, clip, option, plain, section, type Block } from './kit.js';
import type { StepState } from '#core/runs/step-state.js';

/** A step as the card shows it. */
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

type StepAction = 'run' | 'retry' | 'skip' | 'stop';
interface Offer {
  action: StepAction;
  label: string;
  style?: 'primary' | 'danger';
}

const MAX_BLOCKS = 50;
const SECTION_CHARS = 2900;
const OPTIONS_PER_SELECT = 100;
const OPTION_VALUE_MAX = 150;

const stepValue = (runId: number, stepId: string) => `${runId}:${stepId}`;

/** What a person can do with a step now. */
function offers(s: CardStep): Offer[] {
  const style = s.dangerous ? 'danger' : 'primary';
  if (s.state === 'running') return s.manual ? [] : [{ action: 'stop', label: 'Stop', style: 'danger' }];
  if (s.state === 'pending') return [{ action: 'run', label: s.manual ? 'Mark done' : s.dangerous ? 'Run…' : 'Run', style }, { action: 'skip', label: 'Skip' }];
  if (s.state === 'failed' || s.state === 'timed_out' || s.state === 'interrupted') {
    return [{ action: 'retry', label: s.dangerous ? 'Retry…' : 'Retry', style }, { action: 'skip', label: 'Skip' }];
  }
  return [];
}

/** A menu or picker option's value: `<action>|<run>:<step>`, or `<action>|<run>#<position>` for a long id. */
function pickValue(action: StepAction, runId: number, stepId: string, position: number): string {
  const v = `${action}|${stepValue(runId, stepId)}`;
  return v.length <= OPTION_VALUE_MAX ? v : `${action}|${runId}#${position}`;
}

const actionId = { run: RunActions.run, retry: RunActions.retry, skip: RunActions.skip, stop: RunActions.stop } as const;

/** The dialog before a stop: the process is killed. */
const stopConfirm = (stepId: string): ConfirmationDialog => ({
  title: plain('Stop this step?'), text: { type: 'mrkdwn', text: clip(`The running \`${stepId}\` is killed and ends as interrupted.`, 300) },
  confirm: plain('Stop it'), deny: plain('Keep running'), style: 'danger',
});

function buttons(runId: number, s: CardStep): Button[] {
  return offers(s).map((o) => button(actionId[o.action], o.label, stepValue(runId, s.stepId), o.style, o.action === 'stop' ? stopConfirm(s.stepId) : undefined));
}

function menu(runId: number, s: CardStep, position: number): Button | Overflow | undefined {
  const os = offers(s);
  if (os.length === 0) return undefined;
  if (os.length === 1) return buttons(runId, s)[0];
  return { type: 'overflow', action_id: RunActions.stepMenu, options: os.map((o) => option(o.label, pickValue(o.action, runId, s.stepId, position))) };
}

/** Packs lines into as few sections as fit. */
function packed(lines: string[]): SectionBlock[] {
  const out: string[] = [];
  for (const l of lines) {
    const last = out.at(-1);
    if (last !== undefined && last.length + 1 + l.length <= SECTION_CHARS) out[out.length - 1] = `${last}\n${l}`;
    else out.push(clip(l, SECTION_CHARS));
  }
  return out.map((t) => section(t));
}

function pickers(runId: number, steps: CardStep[]): ActionsBlock | undefined {
  const selects: StaticSelect[] = [];
  const labels: Record<StepAction, string> = { run: 'Run a step…', retry: 'Retry a step…', skip: 'Skip a step…', stop: 'Stop a step…' };
  for (const action of ['run', 'retry', 'skip', 'stop'] as const) {
    const opts = steps.flatMap((s, i) => (offers(s).some((o) => o.action === action)
      ? [option(clip(`${i + 1}. ${s.title}${s.dangerous && action !== 'skip' ? ' (dangerous)' : ''}`, 75), pickValue(action, runId, s.stepId, i))]
      : []));
    for (let at = 0; at < opts.length; at += OPTIONS_PER_SELECT) {
      selects.push({ type: 'static_select', action_id: `${RunActions.stepPick}.${selects.length}`, placeholder: plain(labels[action]), options: opts.slice(at, at + OPTIONS_PER_SELECT) });
    }
  }
  return selects.length ? actions(`pick.${runId}`, selects.slice(0, 25)) : undefined;
}

/**
 * The step blocks of a card that has `reserved` other blocks. `line(s, n, short)` renders a step's
 * line; `short` asks for one without its reason (when even packed lines would not fit).
 */
export function stepBlocks(runId: number, steps: CardStep[], reserved: number, line: (s: CardStep, n: number, short: boolean) => string): Block[] {
  const room = MAX_BLOCKS - reserved;
  if (steps.length * 2 <= room) {
    return steps.flatMap((s, i) => {
      const b = buttons(runId, s);
      return [section(clip(line(s, i + 1, false), SECTION_CHARS)), ...(b.length ? [actions(`step.${runId}.${s.stepId}`.slice(0, 255), b)] : [])];
    });
  }
  if (steps.length <= room) {
    return steps.map((s, i) => {
      const b = section(clip(line(s, i + 1, false), SECTION_CHARS));
      const m = menu(runId, s, i);
      if (m) b.accessory = m;
      return b;
    });
  }
  const pick = pickers(runId, steps);
  const space = room - (pick ? 1 : 0);
  let blocks = packed(steps.map((s, i) => line(s, i + 1, false)));
  if (blocks.length > space) blocks = packed(steps.map((s, i) => line(s, i + 1, true)));
  return [...blocks.slice(0, space), ...(pick ? [pick] : [])];
}
