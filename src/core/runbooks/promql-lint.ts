import { parser } from '@prometheus-io/lezer-promql';
import { renderQuery } from './prometheus-step.js';
import type { RunbookStep } from './schema.js';

/**
 * PromQL in runbooks, parsed with Prometheus's own grammar (@prometheus-io/lezer-promql). Queries
 * are found in `prometheus:` steps, in HTTP steps calling /api/v1/query or /api/v1/query_range
 * (URL-decoded), and in commands: curl to those endpoints (`?query=`, `--data-urlencode query=`,
 * `-d query=`) and `promtool query instant|range <url> <expr>`.
 */

type Path = (string | number)[];

export interface FoundQuery {
  /** Where in the step (from the step's own keys). */
  path: Path;
  query: string;
  /** Text of the field to point at (a line inside a block scalar). */
  needle?: string;
}

const TEMPLATE_RE = /\{\{\s*[a-z_][a-z0-9_]*\s*\}\}/g;
const QUERY_PATH_RE = /\/api\/v1\/query(?:_range)?(?:\?|$)/;

/** The problem with a query, or undefined when Prometheus's grammar accepts it. */
export function promqlProblem(query: string): string | undefined {
  const q = query.replace(TEMPLATE_RE, 'x');
  if (!q.trim()) return 'empty PromQL query';
  const tree = parser.parse(q);
  let at: { from: number; to: number } | undefined;
  tree.iterate({ enter: (n) => { if (n.type.isError && !at) at = { from: n.from, to: n.to }; } });
  if (!at) return undefined;
  const text = q.slice(at.from, at.to).trim();
  const col = at.from + 1;
  const before = q.slice(0, at.from);
  const fn = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(before);
  if (q[at.from] === '(' && fn && !/[{}\]]\s*$/.test(before)) return `invalid PromQL: "${fn[1]}" is not a PromQL function (column ${fn.index + 1})`;
  if (/^(by|without)\b/.test(q.slice(at.from)))
    return `invalid PromQL at column ${col}: "${text || 'by'}" groups only an aggregation (sum, avg, max…), written sum by (label) (…) or sum(…) by (label), not after a function call`;
  if (at.from >= q.trimEnd().length) return `invalid PromQL: the query ends too early (unclosed bracket or missing operand)`;
  return `invalid PromQL at column ${col}: unexpected "${text || q.slice(at.from, at.from + 10)}"`;
}

/** The `query` of an /api/v1/query[_range] URL or path, URL-decoded; undefined when it is not one. */
export function queryOfUrl(url: string): string | undefined {
  const m = QUERY_PATH_RE.exec(url);
  if (!m) return undefined;
  const qs = url.slice(m.index + m[0].length).split('#')[0];
  try {
    return new URLSearchParams(qs.replace(TEMPLATE_RE, 'x')).get('query') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Queries in a shell command or argv list. */
export function queriesOfCommand(command: string | string[]): string[] {
  const words = typeof command === 'string'
    ? shellWords(command.replace(TEMPLATE_RE, 'x'))
    : command;
  const out: string[] = [];
  const promUrl = words.some((w) => QUERY_PATH_RE.test(w));
  words.forEach((w, i) => {
    const fromUrl = queryOfUrl(w);
    if (fromUrl !== undefined) out.push(fromUrl);
    const next = words[i + 1];
    if (promUrl && next?.startsWith('query=')) {
      if (w === '--data-urlencode') out.push(next.slice(6));
      else if (w === '-d' || w === '--data') out.push(decode(next.slice(6)));
    }
    if (/(^|\/)promtool$/.test(w) && words[i + 1] === 'query' && ['instant', 'range'].includes(words[i + 2] ?? '')) {
      // promtool query instant [--flag=value…] <server> <expr>
      const expr = words.slice(i + 3).filter((a) => !a.startsWith('-'))[1];
      if (expr !== undefined) out.push(expr);
    }
  });
  return out;
}

/** POSIX shell words, quotes removed (`$…` kept as written); `|`, `;`, `&` and newlines end a word. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      word ??= '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && '"\\$`\n'.includes(text[i + 1] ?? '')) i++;
        word += text[i];
      }
    } else if (c === '\\') {
      word = (word ?? '') + (text[i + 1] ?? '');
      i++;
    } else if (/[\s|;&()<>]/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

const decode = (v: string) => {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return v;
  }
};

/** Every PromQL query a step holds. */
export function queriesOf(s: RunbookStep): FoundQuery[] {
  const out: FoundQuery[] = [];
  if (s.prometheus) out.push({ path: ['prometheus', 'query'], query: s.prometheus.query });
  if (s.http) {
    for (const k of ['url', 'path'] as const) {
      const v = s.http[k];
      const q = v !== undefined ? queryOfUrl(v) : undefined;
      if (q !== undefined) out.push({ path: ['http', k], query: q });
    }
    const target = s.http.url ?? s.http.path ?? '';
    if (s.http.body !== undefined && QUERY_PATH_RE.test(target) && !target.includes('query=')) {
      const q = new URLSearchParams(s.http.body.replace(TEMPLATE_RE, 'x')).get('query');
      if (q !== null) out.push({ path: ['http', 'body'], query: q });
    }
  }
  const commands: [Path, string | string[]][] = [];
  if (s.ssh) commands.push([['ssh', 'command'], s.ssh.command]);
  if (s.docker?.exec !== undefined) commands.push([['docker', 'exec'], s.docker.exec]);
  if (s.kubernetes?.command) commands.push([['kubernetes', 'command'], s.kubernetes.command]);
  if (typeof s.manual === 'object' && s.manual.command) commands.push([['manual', 'command'], s.manual.command]);
  for (const [path, c] of commands) {
    let found: string[];
    try {
      found = queriesOfCommand(c);
    } catch {
      continue;
    }
    for (const q of found) out.push({ path, query: q, needle: firstLine(q) });
  }
  return out;
}

const firstLine = (q: string) => q.split('\n')[0].slice(0, 40) || undefined;

/** Lint: each invalid query of a step, reported at its field. */
export function checkPromql(s: RunbookStep, at: Path, err: (path: Path, message: string, keyOf?: string, needle?: string) => void): void {
  if (s.prometheus) {
    for (const k of ['exit_code', 'status', 'body_contains'] as const)
      if (s.expect?.[k as keyof typeof s.expect] !== undefined)
        err([...at, 'expect', k], `a prometheus step has no ${k === 'exit_code' ? 'exit code' : 'HTTP answer to check'}; its thresholds are below/above (output_* checks the table)`);
    try {
      renderQuery(s.prometheus.query, () => 'x');
    } catch (e) {
      err([...at, 'prometheus', 'query'], (e as Error).message);
    }
  }
  for (const f of queriesOf(s)) {
    const problem = promqlProblem(f.query);
    if (problem) err([...at, ...f.path], `${problem}: ${f.query}`, undefined, f.needle);
  }
}
