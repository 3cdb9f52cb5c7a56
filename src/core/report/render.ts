/** The report as Markdown: one table of response times per grouping, one of runbook use. */
import { formatDuration } from '../incidents/format.js';
import type { Group, Report, Spread } from './build.js';

/** Untrusted names (systems, runbook ids) in a table cell: Markdown and pipes escaped. */
const cell = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
const time = (ms: number | null) => (ms === null ? '—' : formatDuration(Math.round(ms)));
const pair = (s: Spread) => (s.n ? `${time(s.p50Ms)} / ${time(s.p90Ms)} (${s.n})` : '—');

function table(title: string, rows: Group[]): string[] {
  return [
    `| ${title} | incidents | open | MTTA p50 / p90 | time to mitigate p50 / p90 | MTTR p50 / p90 |`,
    '| --- | ---: | ---: | --- | --- | --- |',
    ...rows.map((g) => `| ${cell(g.key)} | ${g.incidents} | ${g.open} | ${pair(g.mtta)} | ${pair(g.ttm)} | ${pair(g.mttr)} |`),
  ];
}

export function reportMarkdown(r: Report): string {
  const lines = [
    `# Incident report, ${r.since.slice(0, 16).replace('T', ' ')} to ${r.until.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${r.total.incidents} incidents opened, ${r.total.open} still open. Times are the median / 90th percentile, with how many incidents had one.`,
    '',
    ...table('all', [r.total]), '',
    '## By severity', '', ...table('severity', r.bySeverity), '',
    '## By system', '', ...table('system', r.bySystem), '',
    '## Runbooks run most', '',
  ];
  if (!r.runbooks.length) lines.push('No runbook was run.');
  else {
    lines.push('| runbook | runs | succeeded | failed | unfinished | success rate |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const u of r.runbooks) {
      const rate = u.successRate === null ? '—' : `${Math.round(u.successRate * 100)}%`;
      lines.push(`| ${cell(u.runbookId)} | ${u.runs} | ${u.succeeded} | ${u.failed} | ${u.unfinished} | ${rate} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
