/** Small Block Kit helpers, typed with Slack's own types and checked by Slack (or the local workspace). */
import type {
  ActionsBlock, ActionsBlockElement, Button, ConfirmationDialog, ContextBlock, DividerBlock, HeaderBlock, KnownBlock,
  MrkdwnElement, ModalView, PlainTextElement, PlainTextOption, SectionBlock,
} from '@slack/types';

/** A block of a message or a view. */
export type Block = KnownBlock;
/** A modal whose blocks are known blocks (so they can be read back by type). */
export interface Modal extends ModalView {
  blocks: Block[];
}

export const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text: clip(text, 75), emoji: true });
const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text: clip(text, 3000) });
export const header = (text: string): HeaderBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150), emoji: true } });
export const section = (text: string): SectionBlock => ({ type: 'section', text: mrkdwn(text) });
export const fields = (items: string[]): SectionBlock => ({ type: 'section', fields: items.slice(0, 10).map((t) => mrkdwn(clip(t, 2000))) });
export const context = (items: string[]): ContextBlock => ({ type: 'context', elements: items.slice(0, 10).map((t) => mrkdwn(t)) });
export const divider = (): DividerBlock => ({ type: 'divider' });
export const actions = (blockId: string, elements: ActionsBlockElement[]): ActionsBlock => ({ type: 'actions', block_id: blockId, elements });

export function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger', confirm?: ConfirmationDialog): Button {
  return { type: 'button', action_id: actionId, text: plain(text), value, ...(style && { style }), ...(confirm && { confirm }) };
}

export const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Slack dates render in each reader's time zone; `{ago}` keeps the age live. */
export const slackDate = (d: Date, format = '{date_short_pretty} {time}') =>
  `<!date^${Math.floor(d.getTime() / 1000)}^${format}|${d.toISOString()}>`;
