import { CodedError, ErrorCode } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import type { ResolvedCommand } from '../runs/step-runner.js';
import { renderQuery, type PrometheusStep } from './prometheus-step.js';
import { httpTarget } from './render-targets.js';
import type { Runbook } from './schema.js';
import { verbatim } from './templates.js';

type Sub = (text: string, quote: (v: string) => string) => string;

/**
 * A prometheus step becomes a GET of `<base>/api/v1/query?query=…` carrying its check: the query with
 * each parameter escaped as the string literal it sits in, then percent-encoded as a whole.
 */
export function renderPrometheus(rb: Runbook, stepId: string, p: PrometheusStep, sub: Sub, inv?: Inventory): ResolvedCommand {
  let query: string;
  try {
    query = renderQuery(p.query, (name) => sub(`{{ ${name} }}`, verbatim));
  } catch (e) {
    throw new CodedError(ErrorCode.InvalidRunbook, `step ${stepId}: ${(e as Error).message}`);
  }
  const threshold = (t: string | number | undefined, what: string) => {
    if (t === undefined || typeof t === 'number') return t;
    const v = sub(t, verbatim).trim();
    const n = Number(v);
    if (v === '' || !Number.isFinite(n)) throw new CodedError(ErrorCode.BadInput, `step ${stepId}: ${what} "${v}" is not a number`);
    return n;
  };
  const below = threshold(p.below, 'below');
  const above = threshold(p.above, 'above');
  const { url, via } = httpTarget(rb, stepId, { method: 'GET', base: p.base, path: '/api/v1/query', insecure: false }, sub, inv);
  return {
    kind: 'http',
    method: 'GET',
    url: `${url}?query=${encodeURIComponent(query)}`,
    ...(via !== undefined ? { via } : {}),
    prometheus: { query, ...(below !== undefined ? { below } : {}), ...(above !== undefined ? { above } : {}), empty: p.empty },
  };
}
