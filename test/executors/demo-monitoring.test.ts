/**
 * The demo's real Prometheus and Alertmanager (Debian packages, inside the demo's containers):
 * each system's Prometheus scrapes its services, so queries answer from what the services report
 * (blatam's KV cache gauges turn bad when its api is broken); a stopped service fires
 * DemoServiceDown, which Alertmanager holds; `unhealthy` freezes Prometheus itself; a restart heals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { dockerAvailable } from '../support/peers/docker.js';

function available(): boolean {
  if (!dockerAvailable()) return false;
  const missing = [...new Set(['web', 'redis', 'postgres', 'prometheus', 'alertmanager'].flatMap((k) => missingFor(k as never)))];
  if (missing.length === 0) return true;
  const msg = `demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING demo monitoring tests: ${msg} ***\n`);
  return false;
}

let dir: string;
let demo: Demo | undefined;

async function query(system: string, promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await fetch(`${demo!.endpoint(`${system}/prometheus`).url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await r.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** Polls until `check` holds (Prometheus scrapes every 2 s); returns the last value. */
async function eventually<T>(get: () => Promise<T>, check: (v: T) => boolean, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await get();
  while (!check(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    v = await get();
  }
  return v;
}

describe.skipIf(!available())('the demo\'s real Prometheus and Alertmanager', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-demo-monitoring-'));
    demo = await demoUp({ statePath: join(dir, 'state.json'), layout: 'isolated', privateEngine: true });
  }, 300_000);
  afterAll(async () => {
    await demo?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is the real Prometheus, scraping every web service of its system and nothing of the other', async () => {
    const info = (await (await fetch(`${demo!.endpoint('blatam/prometheus').url}/api/v1/status/buildinfo`)).json()) as { data: { version: string } };
    expect(info.data.version).toMatch(/^2\.\d+\.\d+/);
    const up = await query('minimarket', 'up');
    expect(up.map((s) => s.metric.job).sort()).toEqual(['agente-deposito', 'agente-negocio', 'alertmanager', 'dashboard', 'grafana', 'loki', 'prometheus']);
    expect(up.every((s) => s.value[1] === '1' && s.metric.system === 'minimarket')).toBe(true);
    expect((await query('blatam', 'up')).map((s) => s.metric.job).sort()).toEqual(['api', 'grafana', 'prometheus']);
  });

  it("blatam's KV cache gauges are what its api reports, and turn bad when the api is broken", async () => {
    expect((await query('blatam', 'kv_cache_latency_seconds'))[0].value[1]).toBe('0.012');
    await demo!.break('blatam/api', 'unhealthy');
    const slow = await eventually(() => query('blatam', 'kv_cache_latency_seconds'), (r) => r[0]?.value[1] === '2.5');
    expect(slow[0].value[1]).toBe('2.5');
    expect((await query('blatam', 'kv_cache_hit_rate'))[0].value[1]).toBe('0.31');
    await demo!.fix('blatam/api');
    expect((await eventually(() => query('blatam', 'kv_cache_hit_rate'), (r) => r[0]?.value[1] === '0.94'))[0].value[1]).toBe('0.94');
  }, 120_000);

  it('request rates come from the requests the dashboard served', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${demo!.endpoint('minimarket/dashboard').url}/api/inventory`);
    const total = await eventually(() => query('minimarket', 'sum(http_requests_total{job="dashboard",endpoint="/api/inventory"})'), (r) => Number(r[0]?.value[1]) >= 5);
    expect(Number(total[0].value[1])).toBeGreaterThanOrEqual(5);
    expect(await query('minimarket', 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="dashboard"}[1m])))')).toHaveLength(1);
  }, 60_000);

  it('a stopped dashboard fires DemoServiceDown, held by the real Alertmanager; started again, it is up', async () => {
    await demo!.break('minimarket/dashboard', 'stopped');
    const am = demo!.endpoint('minimarket/alertmanager').url!;
    const alerts = async () => ((await (await fetch(`${am}/api/v2/alerts?active=true`)).json()) as Array<{ labels: Record<string, string> }>)
      .filter((a) => a.labels.alertname === 'DemoServiceDown');
    const firing = await eventually(alerts, (a) => a.length > 0, 60_000);
    expect(firing.map((a) => a.labels)).toEqual([expect.objectContaining({ job: 'dashboard', system: 'minimarket', severity: 'critical' })]);
    await demo!.fix('minimarket/dashboard');
    expect(await eventually(() => query('minimarket', 'up{job="dashboard"} == 1'), (r) => r.length === 1)).toHaveLength(1);
  }, 120_000);

  it('unhealthy freezes Prometheus (its health check times out); fix thaws it', async () => {
    await demo!.break('blatam/prometheus', 'unhealthy');
    const url = demo!.endpoint('blatam/prometheus').url!;
    const answered = await fetch(`${url}/-/healthy`, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false);
    expect(answered).toBe(false);
    await demo!.fix('blatam/prometheus');
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
  }, 120_000);
});
