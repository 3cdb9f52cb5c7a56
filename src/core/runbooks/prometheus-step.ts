import { z } from 'zod';

/**
 * The `prometheus:` step: one instant query against an HTTP base of the runbook's system (default
 * `prometheus`), every sample checked against `below` / `above`. Read-only by construction.
 * `{{ param }}` may appear only inside a PromQL string literal (a label value: `{instance="{{ i }}"}`),
 * where the value is escaped as that literal's content, so it can never change the query's shape.
 */

const BASE_RE = /^[a-z0-9][a-z0-9_-]*$/;
const TEMPLATE_ONLY_RE = /^\{\{\s*[a-z_][a-z0-9_]*\s*\}\}$/;

const Threshold = z
  .union([z.number(), z.string().regex(TEMPLATE_ONLY_RE, 'a threshold is a number or one {{ param }}')])
  .describe('A number, or one {{ param }} holding a number.');

export const PrometheusStepSchema = z
  .strictObject({
    query: z.string().min(1).describe('PromQL, evaluated as an instant query; {{ params }} only inside string literals.'),
    base: z
      .string()
      .regex(BASE_RE, 'base is the name of an HTTP base of the system in the inventory (systems.<name>.http)')
      .default('prometheus')
      .describe('The system\'s HTTP base where Prometheus answers (default "prometheus"); its `via` is used.'),
    below: Threshold.optional().describe('Every sample must be < this.'),
    above: Threshold.optional().describe('Every sample must be > this.'),
    empty: z.enum(['fail', 'ok']).default('fail').describe('No samples: fail ("no data", the default) or ok.'),
  })
  .superRefine((p, ctx) => {
    if (typeof p.below === 'number' && typeof p.above === 'number' && p.above >= p.below)
      ctx.addIssue({ code: 'custom', path: ['above'], message: `no value is above ${p.above} and below ${p.below}` });
  })
  .describe('A PromQL instant query whose samples are checked against thresholds.');

export type PrometheusStep = z.infer<typeof PrometheusStepSchema>;

/** Escapes a value as the content of a PromQL string literal quoted with `quote`. */
function promStringQuote(v: string, quote: '"' | "'"): string {
  return v.replace(/\\/g, '\\\\').replace(quote === '"' ? /"/g : /'/g, `\\${quote}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * Substitutes `{{ name }}` templates in a query, each escaped for the string literal it sits in.
 * A template outside a literal throws (lint reports it first; this is the last guard).
 */
export function renderQuery(query: string, valueOf: (name: string) => string): string {
  let out = '';
  let quote: '"' | "'" | '`' | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (query.startsWith('{{', i)) {
      const m = /^\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/.exec(query.slice(i));
      if (!m) throw new Error(`malformed template at offset ${i}`);
      if (quote !== '"' && quote !== "'") throw new Error(`{{ ${m[1]} }} is outside a PromQL string literal; write it inside quotes: label="{{ ${m[1]} }}"`);
      out += promStringQuote(valueOf(m[1]), quote);
      i += m[0].length - 1;
      continue;
    }
    if (!quote && c === '#') {
      const end = query.indexOf('\n', i);
      out += end < 0 ? query.slice(i) : query.slice(i, end);
      i = end < 0 ? query.length : end - 1;
      continue;
    }
    out += c;
    if (quote && c === '\\' && quote !== '`') {
      out += query[i + 1] ?? '';
      i++;
    } else if (quote && c === quote) quote = undefined;
    else if (!quote && (c === '"' || c === "'" || c === '`')) quote = c;
  }
  return out;
}
