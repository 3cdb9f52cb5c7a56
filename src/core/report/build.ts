/** `opsroom report`: counts and response times of the incidents opened in a window, and runbook use. */
import type { Incident } from '../incidents/incident.js';
import { timeToAcknowledge, timeToMitigate, timeToResolve } from '../incidents/summary.js';
import { percentile } from './percentiles.js';

/** Median and 90th percentile of one measure (ms), over the incidents that have it. */
export interface Spread {
  n: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface Group {
  key: string;
  incidents: number;
  open: number;
  mtta: Spread;
  ttm: Spread;
  mttr: Spread;
}

interface RunbookUse {
  runbookId: string;
  runs: number;
  succeeded: number;
  failed: number;
  /** Runs neither succeeded nor failed yet (steps left pending). */
  unfinished: number;
  /** succeeded / (succeeded + failed); null when none finished. */
  successRate: number | null;
}

export interface Report {
  since: string;
  until: string;
  total: Group;
  bySeverity: Group[];
  bySystem: Group[];
  runbooks: RunbookUse[];
}

export interface RunRow {
  runbookId: string;
  state: string;
}

const spread = (values: (number | null)[]): Spread => {
  const xs = values.filter((v): v is number => v !== null);
  return { n: xs.length, p50Ms: percentile(xs, 0.5), p90Ms: percentile(xs, 0.9) };
};

function group(key: string, list: readonly Incident[]): Group {
  return {
    key, incidents: list.length, open: list.filter((i) => i.status !== 'resolved').length,
    mtta: spread(list.map(timeToAcknowledge)), ttm: spread(list.map(timeToMitigate)), mttr: spread(list.map(timeToResolve)),
  };
}

function groups(list: readonly Incident[], keyOf: (i: Incident) => string, order?: readonly string[]): Group[] {
  const by = new Map<string, Incident[]>();
  for (const i of list) by.set(keyOf(i), [...(by.get(keyOf(i)) ?? []), i]);
  const rank = (k: string) => (order?.includes(k) ? order.indexOf(k) : Number.MAX_SAFE_INTEGER);
  return [...by.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([k, l]) => group(k, l));
}

/** The report over `incidents` (opened in the window) and `runs` (started in it). */
export function buildReport(input: { since: Date; until: Date; incidents: readonly Incident[]; runs: readonly RunRow[]; severities?: readonly string[] }): Report {
  const uses = new Map<string, RunbookUse>();
  for (const r of input.runs) {
    const u = uses.get(r.runbookId) ?? { runbookId: r.runbookId, runs: 0, succeeded: 0, failed: 0, unfinished: 0, successRate: null };
    u.runs++;
    // A recovered run fixed what it was started for.
    if (r.state === 'succeeded' || r.state === 'recovered') u.succeeded++;
    else if (r.state === 'failed') u.failed++;
    else u.unfinished++;
    uses.set(r.runbookId, u);
  }
  const runbooks = [...uses.values()].map((u) => ({ ...u, successRate: u.succeeded + u.failed ? u.succeeded / (u.succeeded + u.failed) : null }))
    .sort((a, b) => b.runs - a.runs || a.runbookId.localeCompare(b.runbookId));
  return {
    since: input.since.toISOString(), until: input.until.toISOString(),
    total: group('all', input.incidents),
    bySeverity: groups(input.incidents, (i) => i.severity, input.severities),
    bySystem: groups(input.incidents, (i) => i.system ?? 'none'),
    runbooks,
  };
}
