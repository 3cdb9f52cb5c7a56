/** `opsroom lint` reports invalid PromQL at file:line, in prometheus steps and in HTTP query URLs. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'opsroom-cli-promql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runbook = (query: string) => [
  'title: T',
  'steps:',
  '  - id: p95',
  '    title: P95',
  '    prometheus:',
  `      query: ${query}`,
  '      below: 0.3',
  '  - id: raw',
  '    title: Raw',
  `    http: { url: "http://localhost:9090/api/v1/query?query=${encodeURIComponent(query)}" }`,
  '',
].join('\n');

function lint(query: string) {
  mkdirSync(join(dir, 'runbooks', 't'), { recursive: true });
  writeFileSync(join(dir, 'runbooks', 't', 'q.yml'), runbook(query));
  const env = { ...process.env, OPSROOM_INVENTORY: '', OPSROOM_RUNBOOKS: '', OPSROOM_CONFIG: '' };
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'opsroom.js'), 'lint', 'runbooks'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
}

describe('opsroom lint and PromQL', () => {
  it('reports the seed\'s invalid `histogram_quantile(…) by (endpoint)` at each line it is written', () => {
    const r = lint('histogram_quantile(0.95, rate(x_bucket[5m])) by (endpoint)');
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('invalid PromQL'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^runbooks\/t\/q\.yml:6:\d+ invalid PromQL at column 46: "by" groups only an aggregation/);
    expect(lines[1]).toMatch(/^runbooks\/t\/q\.yml:10:\d+ invalid PromQL at column 46/);
  });

  it('accepts the corrected query', () => {
    const r = lint('histogram_quantile(0.95, sum by (le, endpoint) (rate(x_bucket[5m])))');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 runbook(s)? OK/);
  });
});
