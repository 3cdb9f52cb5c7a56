/**
 * Metric history for the shipped runbooks' PromQL, as OpenMetrics text to backfill a real Prometheus:
 * 20 minutes of a healthy system, then 20 minutes of the same system broken (slow, failing, full),
 * one sample every 15 s. Every metric family a shipped runbook queries is here, with the labels it uses
 * (the API's as the demo's services publish them: demo/rootfs/web-server.mjs).
 */

const STEP_S = 15;
const PHASE_SAMPLES = 80; // 20 minutes

type Phase = 'ok' | 'bad';
/** A counter grows by `perSecond` in each phase; a gauge holds `value`. */
type Series =
  | { name: string; labels: Record<string, string>; counter: Record<Phase, number> }
  | { name: string; labels: Record<string, string>; gauge: Record<Phase, number> };

const counter = (name: string, labels: Record<string, string>, ok: number, bad: number): Series => ({ name, labels, counter: { ok, bad } });
const gauge = (name: string, labels: Record<string, string>, ok: number, bad: number): Series => ({ name, labels, gauge: { ok, bad } });

const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
/** A histogram whose observations (per second) all fall at `okAt` when healthy and `badAt` when broken. */
function histogram(name: string, labels: Record<string, string>, perSecond: number, okAt: number, badAt: number): Series[] {
  const le = (b: string) => (b === '+Inf' ? Infinity : Number(b));
  return [
    ...BUCKETS.map((b) => counter(`${name}_bucket`, { ...labels, le: b }, okAt <= le(b) ? perSecond : 0, badAt <= le(b) ? perSecond : 0)),
    counter(`${name}_count`, labels, perSecond, perSecond),
    counter(`${name}_sum`, labels, perSecond * okAt, perSecond * badAt),
  ];
}

const NODE = { instance: 'blatam-host:9100', job: 'node' };
const API = { instance: 'api:8000', job: 'api' };

const SERIES: Series[] = [
  gauge('up', { instance: 'localhost:9090', job: 'prometheus' }, 1, 1),
  gauge('kv_cache_latency_seconds', API, 0.012, 2.5),
  gauge('kv_cache_hit_rate', API, 0.94, 0.31),
  ...histogram('http_request_duration_seconds', { ...API, endpoint: '/api/products' }, 10, 0.04, 0.04),
  ...histogram('http_request_duration_seconds', { ...API, endpoint: '/api/orders' }, 10, 0.08, 1.8),
  counter('http_requests_total', { ...API, endpoint: '/api/products', code: '200' }, 10, 5),
  counter('http_requests_total', { ...API, endpoint: '/api/orders', code: '200' }, 10, 2),
  counter('http_requests_total', { ...API, endpoint: '/api/orders', code: '500' }, 0, 3),
  counter('node_cpu_seconds_total', { ...NODE, cpu: '0', mode: 'idle' }, 0.9, 0.05),
  counter('node_cpu_seconds_total', { ...NODE, cpu: '0', mode: 'user' }, 0.1, 0.95),
  gauge('node_memory_MemAvailable_bytes', NODE, 6e9, 4e8),
  gauge('node_memory_MemTotal_bytes', NODE, 8e9, 8e9),
  gauge('node_filesystem_avail_bytes', { ...NODE, fstype: 'ext4', mountpoint: '/' }, 5e10, 4e9),
  gauge('node_filesystem_size_bytes', { ...NODE, fstype: 'ext4', mountpoint: '/' }, 1e11, 1e11),
  // A full tmpfs in both phases: the disk check must leave it out.
  gauge('node_filesystem_avail_bytes', { ...NODE, fstype: 'tmpfs', mountpoint: '/run' }, 0, 0),
  gauge('node_filesystem_size_bytes', { ...NODE, fstype: 'tmpfs', mountpoint: '/run' }, 1e8, 1e8),
  gauge('DCGM_FI_DEV_GPU_UTIL', { gpu: '0', instance: 'blatam-host:9400' }, 40, 100),
  gauge('pg_stat_activity_count', { instance: 'postgres:9187', datname: 'blatam', state: 'active' }, 5, 60),
  gauge('pg_stat_activity_count', { instance: 'postgres:9187', datname: 'blatam', state: 'idle' }, 15, 40),
  gauge('pg_settings_max_connections', { instance: 'postgres:9187' }, 100, 100),
  gauge('redis_memory_used_bytes', { instance: 'redis:9121' }, 3e8, 1e9),
  gauge('redis_memory_max_bytes', { instance: 'redis:9121' }, 1e9, 1e9),
];

/** Request rate (per second) of the API when healthy and broken: for the throughput objective. */
export const THROUGHPUT = { ok: 20, bad: 10 };

export interface History {
  text: string;
  /** The last healthy sample's time (s): a 5-minute window ending here is all healthy. */
  okAt: number;
  /** The last broken sample's time (s). */
  badAt: number;
}

/** OpenMetrics text: healthy samples, then broken ones, ending at `end` (unix seconds). */
export function history(end: number): History {
  const start = end - STEP_S * (2 * PHASE_SAMPLES - 1);
  const lines: string[] = [];
  const byName = new Map<string, Series[]>();
  for (const s of SERIES) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, all] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of all) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      let total = 0;
      for (let i = 0; i < 2 * PHASE_SAMPLES; i++) {
        const phase: Phase = i < PHASE_SAMPLES ? 'ok' : 'bad';
        if ('counter' in s) total += i === 0 ? 0 : s.counter[phase] * STEP_S;
        const value = 'counter' in s ? total : s.gauge[phase];
        lines.push(`${name}{${labels}} ${value} ${start + i * STEP_S}`);
      }
    }
  }
  lines.push('# EOF', '');
  return { text: lines.join('\n'), okAt: start + (PHASE_SAMPLES - 1) * STEP_S, badAt: end };
}
