/**
 * Every PromQL query of every shipped runbook, against a real Prometheus (/usr/bin/prometheus)
 * backfilled with a healthy then broken history of the metric families they use
 * (prometheus-fixture.ts): each parses with Prometheus's grammar and evaluates without error to at
 * least one sample; each prometheus step with a threshold passes on the healthy history and fails on
 * the broken one, naming the series and value. Steps are rendered and judged as the run engine does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { loadRunbooks, type LoadedRunbook } from '#core/runbooks/loader.js';
import { promqlProblem, queriesOf } from '#core/runbooks/promql-lint.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import type { ResolvedCommand, ResolvedStep } from '#core/runs/step-runner.js';
import { runnerFromInventory } from '#executors/index.js';
import { PrometheusStepRunner } from '#executors/prometheus/prometheus-step-runner.js';
import { prometheusAvailable, startPrometheusWithData, type PeerProcess } from '../support/peers/prometheus.js';
import { sshdAvailable, startSshd } from '../support/peers/sshd.js';
import { history, THROUGHPUT } from './prometheus-fixture.js';
import { INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const available = prometheusAvailable();
/** Values for parameters without a default. */
const PARAMS: Record<string, Record<string, string>> = { 'blatam/metric-checks-4h': { throughput_target: String((THROUGHPUT.ok + THROUGHPUT.bad) / 2) } };
/** Threshold checks the seeds state; each must be among the shipped steps (none lost in an edit). */
const SEED_THRESHOLDS = [
  'blatam/high-latency#metrics', 'blatam/metric-checks-hourly#latency-p95', 'blatam/metric-checks-hourly#error-rate',
  'blatam/metric-checks-hourly#cache-hit-rate', 'blatam/metric-checks-hourly#cpu', 'blatam/metric-checks-hourly#memory',
  'blatam/metric-checks-hourly#disk', 'blatam/metric-checks-4h#throughput', 'blatam/metric-checks-4h#db-connections',
  'blatam/metric-checks-4h#redis-memory', 'minimarket/high-latency#p95', 'minimarket/high-latency#slowest-endpoint',
  'minimarket/high-error-rate#failing-endpoints',
];

const data = history(Math.floor(Date.now() / 60_000) * 60 - 600);
let prom: PeerProcess;
let runbooks: LoadedRunbook[];
const runner = new PrometheusStepRunner();

const at = (c: ResolvedCommand, time: number): ResolvedCommand => (c.kind === 'http' ? { ...c, url: `${c.url}&time=${time}` } : c);
async function runAt(step: ResolvedStep, time: number) {
  const outcome = await runner.run(at(step.command, time), { timeoutMs: 10_000, signal: new AbortController().signal, onOutput: () => {} });
  return { outcome, verdict: judge({ ...step, command: at(step.command, time) }, outcome) };
}
const adHoc = (query: string, check: Partial<{ below: number; above: number; empty: 'ok' | 'fail' }> = {}): ResolvedStep => ({
  id: 'q', title: 'q', danger: false, timeoutMs: 10_000, expect: {}, onFailure: { action: 'continue' }, redact: false,
  command: { kind: 'http', method: 'GET', url: `${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`, prometheus: { query, empty: 'fail', ...check } },
});

/** The example inventory with every system's `prometheus` base at the test Prometheus, reached directly. */
async function inventoryHere(): Promise<Inventory> {
  const loaded = await loadInventory(INVENTORY);
  const inv = loaded.inventory!;
  for (const s of Object.values(inv.systems ?? {})) if (s.http.prometheus) s.http.prometheus = { url: prom.url };
  return inv;
}

describe.skipIf(!available)('PromQL of the shipped runbooks on a real Prometheus', () => {
  let inventory: Inventory;
  beforeAll(async () => {
    prom = await startPrometheusWithData(data.text);
    const catalog = await loadRunbooks(RUNBOOKS);
    expect(catalog.errors).toEqual([]);
    runbooks = catalog.runbooks;
    inventory = await inventoryHere();
  }, 60_000);
  afterAll(async () => { await prom?.stop(); });

  const found = () => runbooks.flatMap((rb) => rb.steps.flatMap((s) => queriesOf(s).map((q) => ({ key: `${rb.id}#${s.id}`, rb, query: q.query }))));

  it('parses every query with Prometheus\'s grammar', () => {
    const all = found();
    expect(all.length).toBeGreaterThanOrEqual(SEED_THRESHOLDS.length);
    expect(all.filter((q) => promqlProblem(q.query)).map((q) => `${q.key}: ${promqlProblem(q.query)}`)).toEqual([]);
  });

  it('evaluates every query without error, each returning samples', async () => {
    const failures: string[] = [];
    for (const q of found()) {
      const query = q.query.replace(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g, (_, n: string) => String(q.rb.params[n]?.default ?? PARAMS[q.rb.id]?.[n] ?? 'x'));
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${data.okAt}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      if (body.status !== 'success') failures.push(`${q.key}: ${body.error}`);
      else if (!body.data?.result.length) failures.push(`${q.key}: no samples (a metric the fixture lacks?) for ${query}`);
    }
    expect(failures).toEqual([]);
  });

  it('passes each threshold on the healthy history and fails it on the broken one, naming the series', async () => {
    const checked: string[] = [];
    for (const rb of runbooks) {
      if (!rb.steps.some((s) => s.prometheus)) continue;
      const steps = renderRunbook(rb, PARAMS[rb.id] ?? {}, {}, inventory).steps;
      for (const step of steps) {
        const p = step.command.kind === 'http' ? step.command.prometheus : undefined;
        if (!p || (p.below === undefined && p.above === undefined)) continue;
        const key = `${rb.id}#${step.id}`;
        checked.push(key);
        const ok = await runAt(step, data.okAt);
        expect(ok.verdict, `${key} healthy:\n${ok.outcome.output}`).toEqual({ state: 'succeeded', reason: null });
        expect(ok.outcome.output, key).toMatch(/^SERIES +VALUE\n/);
        const bad = await runAt(step, data.badAt);
        expect(bad.verdict.state, `${key} broken:\n${bad.outcome.output}`).toBe('failed');
        expect(bad.verdict.reason, key).toMatch(/^(\S*\{.*\}|value) = [-+0-9.e]+, not (below|above) [0-9.]+/);
      }
    }
    expect(checked.sort()).toEqual(expect.arrayContaining(SEED_THRESHOLDS));
  });

  it('names only the offending series: the slow endpoint, not the fast one; a full tmpfs is not a full disk', async () => {
    const rb = (id: string) => renderRunbook(runbooks.find((r) => r.id === id)!, PARAMS[id] ?? {}, {}, inventory).steps;
    const slowest = rb('minimarket/high-latency').find((s) => s.id === 'slowest-endpoint')!;
    const bad = await runAt(slowest, data.badAt);
    expect(bad.verdict.reason).toMatch(/^\{endpoint="\/api\/orders"\} = [0-9.]+, not below 0\.3$/);
    expect(bad.outcome.output).toMatch(/\{endpoint="\/api\/products"\} +0\.0\d+\n/);
    const disk = rb('blatam/metric-checks-hourly').find((s) => s.id === 'disk')!;
    const ok = await runAt(disk, data.okAt);
    expect(ok.verdict.state).toBe('succeeded');
    expect(ok.outcome.output).not.toContain('tmpfs');
  });

  it('fails "no data" on an empty answer unless empty: ok, and reports a query Prometheus refuses', async () => {
    expect((await runAt(adHoc('no_such_metric'), data.okAt)).verdict).toEqual({ state: 'failed', reason: 'no data: the query returned no samples (no_such_metric)' });
    expect((await runAt(adHoc('no_such_metric', { empty: 'ok' }), data.okAt)).verdict.state).toBe('succeeded');
    expect(promqlProblem('rate(up)')).toBeUndefined();
    const refused = await runAt(adHoc('rate(up)'), data.okAt);
    expect(refused.verdict.reason).toMatch(/^Prometheus refused the query: .*range vector/);
  });

  it.skipIf(!sshdAvailable())('goes through the SSH tunnel of the base\'s via host, whose host key is checked', async () => {
    const sshd = await startSshd();
    const inv = (hostKey: string) => {
      const host = `{ address: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, key_path: ${sshd.keyPath}, host_key: "${hostKey}" }`;
      const r = parseInventory('inventory.yml', ['systems:', '  blatam:', '    hosts:', `      blatam-host: ${host}`, `    http: { prometheus: { url: "http://127.0.0.1:${prom.port}", via: blatam-host } }`].join('\n'));
      expect(r.errors).toEqual([]);
      return r.inventory!;
    };
    try {
      for (const [hostKey, want] of [[sshd.hostKeyLine, 'succeeded'], [sshd.wrongHostKeyLine, 'failed']] as const) {
        const inventory = inv(hostKey);
        const step = renderRunbook(runbooks.find((r) => r.id === 'blatam/metric-checks-hourly')!, {}, {}, inventory).steps.find((s) => s.id === 'memory')!;
        expect(step.command).toMatchObject({ via: 'blatam-host' });
        const r = runnerFromInventory(inventory);
        const command = at(step.command, data.okAt);
        const outcome = await r.run(command, { timeoutMs: 10_000, signal: new AbortController().signal, onOutput: () => {} });
        await r.close();
        const verdict = judge({ ...step, command }, outcome);
        expect(verdict.state, `${verdict.reason}`).toBe(want);
        if (want === 'failed') expect(verdict.reason).toMatch(/host key/i);
        else expect(outcome.output).toMatch(/\{instance="blatam-host:9100", job="node"\} +0\.25\n/);
      }
    } finally {
      await sshd.stop();
    }
  });

  it('checks scalars, NaN and both bounds', async () => {
    expect((await runAt(adHoc('scalar(sum(up))', { below: 2, above: 0 }), data.okAt)).verdict.state).toBe('succeeded');
    expect((await runAt(adHoc('scalar(sum(up))', { above: 1 }), data.okAt)).verdict.reason).toBe('value = 1, not above 1');
    expect((await runAt(adHoc('up / 0 * 0', { below: 1 }), data.okAt)).verdict.reason).toMatch(/^up?\{.*\} = NaN$|^\{.*\} = NaN$/);
  });
});
