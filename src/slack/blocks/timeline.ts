/** Views and lines of the message shortcuts: the incident picker, Declare's prefilled form, thread lines. */
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { TITLE_MAX } from '#core/incidents/service.js';
import type { Severity } from '#core/incidents/severity.js';
import type { TimelineEvent } from '#core/incidents/timeline.js';
import { said } from '#core/said.js';
import { Inputs, TimelineInputs, TimelineViews } from '../ids.js';
import type { StaticSelect } from '@slack/types';
import { context, option, plain, section, type Block, type Modal } from './kit.js';
import { openModal } from './modals.js';
import { link, userText } from './mrkdwn.js';

/** The message a shortcut was used on, carried in a view's private_metadata. */
export interface PickedMessage {
  /** channel, ts, thread ts, author, Slack text */
  c: string;
  ts: string;
  th?: string;
  u: string;
  t: string;
}

/** Slack keeps at most 3000 characters of private_metadata. */
const META_MAX = 3000;
/** Slack lists at most 100 options in a select. */
const MAX_OPTIONS = 100;
const SUMMARY_MAX = 3000;

/** JSON of `meta` that fits private_metadata, cutting the message text when it must. */
function packMeta(meta: Record<string, unknown> & { from: PickedMessage }): string {
  let text = meta.from.t;
  for (;;) {
    const json = JSON.stringify({ ...meta, from: { ...meta.from, t: text } });
    if (json.length <= META_MAX || !text) return json;
    text = text.slice(0, Math.max(0, text.length - Math.max(50, json.length - META_MAX)));
  }
}

export function unpackMeta(raw: string | undefined): (Record<string, unknown> & { from?: PickedMessage }) {
  try {
    const m = JSON.parse(raw || '{}') as Record<string, unknown> & { from?: PickedMessage };
    const f = m.from;
    const ok = f && typeof f.c === 'string' && typeof f.ts === 'string' && typeof f.u === 'string' && typeof f.t === 'string';
    return ok ? m : { ...m, from: undefined };
  } catch {
    return {};
  }
}

/** One line of `text`, collapsed and cut at a word to `max` characters. */
function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** "Add to incident timeline" on a message outside any incident's thread: which open incident. */
export function pickIncidentModal(open: readonly Incident[], preview: string, from: PickedMessage): Modal {
  const options = open.slice(0, MAX_OPTIONS).map((i) => option(`${incidentKey(i.id)} · ${i.severity} · ${i.title}`, String(i.id)));
  const select: StaticSelect = { type: 'static_select', action_id: TimelineInputs.incident, placeholder: plain('Pick an open incident'), options, ...(options.length === 1 ? { initial_option: options[0] } : {}) };
  const blocks: Block[] = [
    section(`Message from ${who(from.u)}:\n>${userText(oneLine(preview, 300)) || '_(no text)_'}`),
    { type: 'input', block_id: TimelineInputs.incident, label: plain('Incident'), element: select },
  ];
  if (open.length > MAX_OPTIONS) blocks.push(context([`The ${MAX_OPTIONS} most severe of ${open.length} open incidents are listed.`]));
  return {
    type: 'modal', callback_id: TimelineViews.pick, title: plain('Add to incident timeline'), submit: plain('Add'), close: plain('Cancel'),
    private_metadata: packMeta({ from }), blocks,
  };
}

/** "Declare incident": the open form with the title (its first line) and summary taken from the message. */
export function declareModal(severities: readonly Severity[], user: string, plainText: string, from: PickedMessage): Modal {
  const view = openModal(severities, { channel: from.c, user });
  const title = oneLine(plainText.split('\n').find((l) => l.trim()) ?? '', TITLE_MAX);
  const summary = plainText.trim().slice(0, SUMMARY_MAX);
  const blocks = view.blocks.map((b): Block => {
    if (b.type !== 'input' || b.element.type !== 'plain_text_input') return b;
    if (b.block_id === Inputs.title && title) return { ...b, element: { ...b.element, initial_value: title } };
    if (b.block_id === Inputs.summary && summary) return { ...b, element: { ...b.element, initial_value: summary } };
    return b;
  });
  return { ...view, title: plain('Declare an incident'), blocks, private_metadata: packMeta({ channel: from.c, user, from }) };
}

const messageLink = (permalink: string | null | undefined, label: string) => (permalink ? link(permalink, label) : label);
/** A person as a mention; a bot or anything else as its escaped id. */
const who = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : userText(id));
const whereOf = (channel: string) => (/^D[A-Z0-9]+$/.test(channel) ? 'a direct message' : /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : userText(channel));

/** The thread line when a message from elsewhere is added: who, from where, a link and its first words. */
export function addedLine(actor: string, from: PickedMessage, permalink: string | null, plainText: string): string {
  const preview = oneLine(plainText, 300);
  return `:pushpin: <@${actor}> added ${messageLink(permalink, 'a message')} by ${who(from.u)} in ${whereOf(from.c)} to the timeline${preview ? `:\n>${said(preview)}` : '.'}`;
}

/** The thread line of an incident declared from a message. */
export function declaredLine(from: PickedMessage, permalink: string | null): string {
  return `:link: Declared from ${messageLink(permalink, 'a message')} by ${who(from.u)} in ${whereOf(from.c)}.`;
}

/** A message entry's text in `/incident show`: escaped, and for an added one who wrote it and a link to it. */
export function entryText(e: TimelineEvent): string {
  const text = userText(e.text, 2000);
  if (e.kind !== 'timeline') return text;
  const author = typeof e.data?.author === 'string' ? e.data.author : undefined;
  const permalink = typeof e.data?.permalink === 'string' ? e.data.permalink : null;
  const parts = [author ? `by ${who(author)}` : '', permalink ? link(permalink, 'message') : ''].filter(Boolean);
  return parts.length ? `${text} (${parts.join(', ')})` : text;
}
