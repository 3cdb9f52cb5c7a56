/**
 * The core's facts as Slack text. The result keeps the core's marks around someone else's words;
 * `opsroomLine` escapes those when the line is posted.
 */
import type { NoticeLine, ThreadLine } from '#core/incidents/lines.js';
import { alertLines } from './alerts.js';
import { followUpLines } from './follow-ups.js';
import { incidentLines } from './incidents.js';
import { recoveryLines } from './recovery.js';
import type { Renderers } from './render.js';
import { systemLines, systemNotices } from './systems.js';

const threadLines: Renderers<ThreadLine> = { ...incidentLines, ...systemLines, ...alertLines, ...followUpLines, ...recoveryLines };

/** A thread line's text, with marks. */
export function renderLine(line: ThreadLine): string {
  const render = threadLines[line.kind] as ((l: ThreadLine) => string) | undefined;
  if (!render) throw new Error(`no text for thread line ${String(line.kind)}`);
  return render(line);
}

/** A notice's text, with marks. */
export function renderNotice(line: NoticeLine): string {
  const render = systemNotices[line.kind] as ((l: NoticeLine) => string) | undefined;
  if (!render) throw new Error(`no text for notice ${String(line.kind)}`);
  return render(line);
}

/** The text of a stored thread or notice payload: its fact rendered, or the text of an older row. */
export const payloadText = (p: { line: ThreadLine } | { text: string }) => ('line' in p ? renderLine(p.line) : p.text);
export const noticeText = (p: { line: NoticeLine } | { text: string }) => ('line' in p ? renderNotice(p.line) : p.text);
