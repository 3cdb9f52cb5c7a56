/** Small Block Kit helpers: plain objects, typed loosely, checked by Slack (or the local workspace). */
export type Block = Record<string, unknown>;

export const plain = (text: string) => ({ type: 'plain_text', text: clip(text, 75), emoji: true });
export const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: clip(text, 3000) });
export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150), emoji: true } });
export const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });
export const fields = (items: string[]): Block => ({ type: 'section', fields: items.slice(0, 10).map((t) => mrkdwn(clip(t, 2000))) });
export const context = (items: string[]): Block => ({ type: 'context', elements: items.slice(0, 10).map((t) => mrkdwn(t)) });
export const divider = (): Block => ({ type: 'divider' });
export const actions = (blockId: string, elements: Block[]): Block => ({ type: 'actions', block_id: blockId, elements });

export function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger', confirm?: Block): Block {
  return { type: 'button', action_id: actionId, text: plain(text), value, ...(style && { style }), ...(confirm && { confirm }) };
}

export const option = (text: string, value: string) => ({ text: plain(text), value });

export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Slack dates render in each reader's time zone; `{ago}` keeps the age live. */
export const slackDate = (d: Date, format = '{date_short_pretty} {time}') =>
  `<!date^${Math.floor(d.getTime() / 1000)}^${format}|${d.toISOString()}>`;
