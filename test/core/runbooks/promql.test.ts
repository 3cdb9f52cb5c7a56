/**
 * PromQL in runbooks: Prometheus's grammar rejects invalid queries wherever they are written
 * (prometheus steps, /api/v1/query URLs, curl and promtool commands), reported at file:line; a
 * prometheus step renders to an instant query with parameters only as escaped string literals.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '#core/inventory/schema.js';
import { renderQuery } from '#core/runbooks/prometheus-step.js';
import { promqlProblem, queriesOfCommand, queryOfUrl } from '#core/runbooks/promql-lint.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { readOnly } from '#core/runs/expect.js';
import { describeCommand } from '#core/runs/step-runner.js';
import { lint, yaml } from './helpers.js';

const inventory = {
  hosts: { mon: { address: 'm.example', port: 22, user: 'ops', key_path: '/k', host_key: 'ssh-ed25519 AAAA' } }, docker: {}, secrets: [],
  systems: { t: { name: 't', hosts: ['mon'], engines: {}, projects: {}, http: { prometheus: { url: 'http://localhost:9090/', via: 'mon' }, metrics: { url: 'http://prom.example:9090' } } } },
} as unknown as Inventory;

describe('promqlProblem', () => {
  it('accepts valid queries', () => {
    for (const q of ['up', 'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))', 'histogram_quantile(0.95, sum by (le, endpoint) (rate(x_bucket{endpoint=~"/api/.*"}[5m])))', 'sum(rate(a[5m])) by (job) / 2', '1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))'])
      expect(promqlProblem(q), q).toBeUndefined();
  });
  it('rejects `by` after a function call, naming where grouping goes', () => {
    const p = promqlProblem('histogram_quantile(0.95, rate(x_bucket[5m])) by (endpoint)');
    expect(p).toMatch(/column 46: "by" groups only an aggregation/);
  });
  it('rejects unknown functions, unclosed brackets and stray tokens', () => {
    expect(promqlProblem('histogram_quantil(0.95, up)')).toBe('invalid PromQL: "histogram_quantil" is not a PromQL function (column 1)');
    expect(promqlProblem('rate(up[5m]')).toMatch(/ends too early/);
    expect(promqlProblem('up{job="a"} ]')).toMatch(/unexpected "\]"/);
    expect(promqlProblem('  ')).toBe('empty PromQL query');
  });
});

describe('finding queries', () => {
  it('reads the query of /api/v1/query and query_range URLs, decoded', () => {
    expect(queryOfUrl('/api/v1/query?query=rate(http_requests_total%5B5m%5D)')).toBe('rate(http_requests_total[5m])');
    expect(queryOfUrl('http://p:9090/api/v1/query_range?start=1&query=up%7Bjob%3D%22a%22%7D&step=15')).toBe('up{job="a"}');
    expect(queryOfUrl('/api/v1/targets')).toBeUndefined();
  });
  it('reads curl and promtool commands', () => {
    expect(queriesOfCommand(`curl -s 'http://localhost:9090/api/v1/query?query=sum(up)'`)).toEqual(['sum(up)']);
    expect(queriesOfCommand(`curl -G http://p:9090/api/v1/query --data-urlencode 'query=rate(a[5m]) by (x)'`)).toEqual(['rate(a[5m]) by (x)']);
    expect(queriesOfCommand(['curl', '-s', 'http://p:9090/api/v1/query', '-d', 'query=up%7Bjob%3D%22x%22%7D'])).toEqual(['up{job="x"}']);
    expect(queriesOfCommand(`promtool query instant --time=1 http://localhost:9090 'max(up) by (job)'`)).toEqual(['max(up) by (job)']);
    expect(queriesOfCommand('curl -s http://localhost:8080/health')).toEqual([]);
  });
});

const step = (body: string) => yaml('title: T', 'params:', '  inst: { default: "a" }', '  limit: { type: integer, default: 5 }', 'steps:', `  - { id: s, title: "S {{ limit }}", ${body} }`);

describe('lint', () => {
  it('reports an invalid query in an http step at its line', () => {
    const r = lint(yaml('title: T', 'steps:', '  - id: a', '    title: A', '    http:', '      url: "http://p:9090/api/v1/query?query=histogram_quantile(0.9, rate(x_bucket%5B5m%5D)) by (le)"'));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^demo\.yml:6:\d+ invalid PromQL at column \d+: "by" groups only an aggregation/);
  });
  it('reports an invalid query in a shell command and in a prometheus step', () => {
    const r = lint(yaml('title: T', 'steps:', '  - id: a', '    title: A', '    ssh: { host: h, command: "curl -s \'http://localhost:9090/api/v1/query?query=rate(x[5m]\'" }', '  - id: b', '    title: B', '    prometheus: { query: "foo_bar(up)" }'));
    expect(r.errors.join('\n')).toMatch(/demo\.yml:5:\d+ invalid PromQL: the query ends too early/);
    expect(r.errors.join('\n')).toMatch(/demo\.yml:8:\d+ invalid PromQL: "foo_bar" is not a PromQL function/);
  });
  it('refuses a template outside a string literal', () => {
    const r = lint(step('prometheus: { query: "up{instance=\\"{{ inst }}\\"} > {{ limit }}" }'));
    expect(r.errors.join('\n')).toMatch(/\{\{ limit \}\} is outside a PromQL string literal/);
  });
  it('accepts a valid prometheus step and checks its base against the inventory', () => {
    const ok = lint(step('prometheus: { query: "up{instance=\\"{{ inst }}\\"}", below: "{{ limit }}" }'), { inventory }, 't/x');
    expect(ok.errors).toEqual([]);
    const bad = lint(step('prometheus: { query: "up{instance=\\"{{ inst }}\\"}", base: nope, below: "{{ limit }}" }'), { inventory }, 't/x');
    expect(bad.errors.join('\n')).toMatch(/http base "nope" is not in the inventory/);
  });
});

describe('rendering', () => {
  const render = (params: Record<string, string>) => {
    const r = lint(step('prometheus: { query: "up{instance=\\"{{ inst }}\\"}", below: "{{ limit }}", empty: ok }'), { inventory }, 't/x');
    expect(r.errors).toEqual([]);
    return renderRunbook(r.runbook!, params, {}, inventory).steps[0];
  };
  it('is a GET of the base\'s /api/v1/query via its host, read-only, carrying the check', () => {
    const s = render({});
    expect(s.command).toEqual({
      kind: 'http', method: 'GET', via: 'mon',
      url: `http://localhost:9090/api/v1/query?query=${encodeURIComponent('up{instance="a"}')}`,
      prometheus: { query: 'up{instance="a"}', below: 5, empty: 'ok' },
    });
    expect(readOnly(s)).toBe(true);
    expect(describeCommand(s.command)).toContain('query: up{instance="a"}\nevery sample < 5');
  });
  it('keeps a hostile value inside its string literal', () => {
    const hostile = 'a"} or vector(1) or up{x="\\';
    const s = render({ inst: hostile });
    const q = (s.command as { prometheus: { query: string } }).prometheus.query;
    const literals: string[] = [];
    parser.parse(q).iterate({ enter: (n) => { if (n.name === 'StringLiteral') literals.push(q.slice(n.from, n.to)); } });
    expect(literals).toEqual([JSON.stringify(hostile)]);
    expect(promqlProblem(q)).toBeUndefined();
    expect(q.startsWith('up{instance=') && q.endsWith('}') && !q.includes(' or vector(1) or up{x="\\"}')).toBe(true);
  });
  it('escapes for single-quoted literals too and ignores quotes in comments', () => {
    expect(renderQuery("up{a='{{ v }}'} # it's", () => "x'y")).toBe("up{a='x\\'y'} # it's");
    expect(() => renderQuery('up # "\n > {{ v }}', () => '1')).toThrow(/outside a PromQL string literal/);
  });
  it('refuses a threshold parameter that is not a number', () => {
    expect(() => render({ limit: 'abc' })).toThrow(/integer/);
    const r = lint(yaml('title: T', 'params:', '  v: { default: "0.5" }', 'steps:', '  - { id: s, title: S, prometheus: { query: up, below: "{{ v }}" } }'), { inventory }, 't/x');
    expect(r.errors).toEqual([]);
    expect(() => renderRunbook(r.runbook!, { v: '1e400' }, {}, inventory)).toThrow('step s: below "1e400" is not a number');
    expect(() => renderRunbook(r.runbook!, { v: ' ' }, {}, inventory)).toThrow(/below "" is not a number/);
    expect((renderRunbook(r.runbook!, { v: '0.25' }, {}, inventory).steps[0].command as { prometheus: { below: number } }).prometheus.below).toBe(0.25);
  });
  it('refuses expectations a prometheus step cannot have', () => {
    const r = lint(step('prometheus: { query: up }, expect: { exit_code: 0 }'));
    expect(r.errors.join('\n')).toMatch(/a prometheus step has no exit code/);
  });
});
