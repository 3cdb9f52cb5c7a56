/** `/runbook list`: every runbook, grouped by system (the id's first part), in whole lines. */
import type { Block } from './kit.js';
import { section } from './kit.js';
import { listBlocks } from './lists.js';
import { code, escapeMrkdwn } from './mrkdwn.js';
import type { RunbookInfo } from './run-views.js';

/** Slack takes at most 50 blocks in a message. */
const MAX_BLOCKS = 50;

const systemOf = (id: string) => (id.includes('/') ? id.split('/')[0] : '');

export function runbookList(items: readonly RunbookInfo[], filter?: string): { text: string; blocks: Block[] } {
  if (!items.length) return { text: 'No runbooks.', blocks: [section(filter ? `No runbook matches ${code(filter)}.` : 'No runbooks are loaded.')] };
  const systems = new Map<string, RunbookInfo[]>();
  for (const r of items) systems.set(systemOf(r.id), [...(systems.get(systemOf(r.id)) ?? []), r]);
  const groups = [...systems].map(([system, list]) => ({
    title: `*${system ? escapeMrkdwn(system) : 'Other'}* (${list.length})`,
    items: list.map((r) => `• ${code(r.id)} — ${escapeMrkdwn(r.title)}${r.keywords.length ? ` _(${escapeMrkdwn(r.keywords.join(', '))})_` : ''}${r.freshness?.startsWith('broken') ? ` :warning: _${escapeMrkdwn(r.freshness)}_` : ''}`),
  }));
  const head = section(`*${items.length} runbook${items.length === 1 ? '' : 's'}*${filter ? ` matching ${code(filter)}` : ''} — start one with \`/runbook run &lt;id&gt; [name=value…]\` in an incident thread`);
  const more = (left: number) => `${left} more runbook${left === 1 ? '' : 's'} not shown here: narrow the list with \`/runbook list &lt;system or word&gt;\`, e.g. ${code(`/runbook list ${[...systems.keys()].at(-1) || 'redis'}`)}.`;
  const blocks = [head, ...listBlocks(groups, MAX_BLOCKS - 1, more)];
  return { text: `${items.length} runbooks`, blocks };
}
