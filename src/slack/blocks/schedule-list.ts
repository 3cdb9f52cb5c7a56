/** `/runbook schedule`: what runs when, next run first, with each routine's cron and channel. */
import type { Routine } from '#core/routines/ports.js';
import { type Block, section, slackDate } from './kit.js';
import { listBlocks } from './lists.js';
import { code, escapeMrkdwn } from './mrkdwn.js';

const MAX_BLOCKS = 50;

export function scheduleList(upcoming: readonly { routine: Routine; at: Date }[]): { text: string; blocks: Block[] } {
  if (!upcoming.length) return { text: 'No routines are scheduled.', blocks: [section('No routines are scheduled. A runbook gets one with `schedule: { cron: "0 8 * * 1-5", timezone: America/Argentina/Buenos_Aires }` (docs/runbooks.md).')] };
  const items = upcoming.map(({ routine: r, at }) => {
    const fail = r.schedule.on_failure ? ` · on failure opens a ${escapeMrkdwn(r.schedule.on_failure.open)}` : '';
    return `• ${slackDate(at)} — ${code(r.runbookId)} ${escapeMrkdwn(r.title)} · ${code(r.schedule.cron)} ${escapeMrkdwn(r.schedule.timezone)} · <#${r.channel}>${fail}`;
  });
  const head = section(`*${upcoming.length} routine${upcoming.length === 1 ? '' : 's'}*, next run first`);
  const more = (left: number) => `${left} more not shown here.`;
  return { text: `${upcoming.length} routines`, blocks: [head, ...listBlocks([{ title: '*Next runs*', items }], MAX_BLOCKS - 1, more)] };
}
