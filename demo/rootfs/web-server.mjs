// The demo's HTTP stand-ins (dashboard, agents, blatam api, grafana, loki); Prometheus and
// Alertmanager are the real ones, scraping /metrics here.
// Plain Node, no dependencies: it runs inside an image that holds only busybox and the node binary.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';

const role = process.env.DEMO_ROLE ?? 'dashboard';
const service = process.env.DEMO_SERVICE ?? role;
const address = process.env.DEMO_ADDR ?? '127.0.0.1';
const port = Number(process.env.DEMO_PORT ?? 8080);
const unhealthy = () => existsSync('/run/demo/unhealthy');
const json = (status, body) => [status, 'application/json', JSON.stringify(body)];
const text = (status, body) => [status, 'text/plain; charset=utf-8', body];

/** What each request took, per endpoint and status: http_requests_total and the duration histogram. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const requests = new Map();
const durations = new Map();
const ENDPOINTS = new Set(['/', '/health', '/api/health', '/ready', '/api/inventory', '/stats', '/metrics']);

function observe(path, status, seconds) {
  const endpoint = ENDPOINTS.has(path) ? path : 'other';
  const key = `${endpoint}\t${status}`;
  requests.set(key, (requests.get(key) ?? 0) + 1);
  const d = durations.get(endpoint) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
  BUCKETS.forEach((b, i) => { if (seconds <= b) d.buckets[i]++; });
  d.sum += seconds;
  d.count++;
  durations.set(endpoint, d);
}

/** The Prometheus exposition: request counters and durations, and blatam's KV cache gauges. */
function metrics() {
  const out = ['# TYPE http_requests_total counter'];
  for (const [key, n] of requests) {
    const [endpoint, code] = key.split('\t');
    out.push(`http_requests_total{service="${service}",endpoint="${endpoint}",code="${code}"} ${n}`);
  }
  out.push('# TYPE http_request_duration_seconds histogram');
  for (const [endpoint, d] of durations) {
    const l = `service="${service}",endpoint="${endpoint}"`;
    BUCKETS.forEach((b, i) => out.push(`http_request_duration_seconds_bucket{${l},le="${b}"} ${d.buckets[i]}`));
    out.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${d.count}`, `http_request_duration_seconds_sum{${l}} ${d.sum}`, `http_request_duration_seconds_count{${l}} ${d.count}`);
  }
  if (role === 'api') {
    // A broken blatam api is slow and misses its cache (the seed's "Alta Latencia", "Cache hit rate bajo").
    out.push('# TYPE kv_cache_latency_seconds gauge', `kv_cache_latency_seconds ${unhealthy() ? 2.5 : 0.012}`);
    out.push('# TYPE kv_cache_hit_rate gauge', `kv_cache_hit_rate ${unhealthy() ? 0.31 : 0.94}`);
  }
  return `${out.join('\n')}\n`;
}

function route(method, url) {
  const sick = unhealthy();
  const path = url.pathname;
  // Metrics answer even when the service is broken, as a real exporter's do.
  if (path === '/metrics') return [200, 'text/plain; version=0.0.4', metrics()];
  if (path === '/health' || path === '/api/health' || path === '/ready') {
    if (sick) return role === 'loki' ? text(503, 'Ingester not ready\n') : json(500, { status: 'error', service, detail: 'dependency check failed' });
    if (role === 'loki') return text(200, 'ready\n');
    if (role === 'grafana') return json(200, { commit: 'demo', database: 'ok', version: '10.4.0' });
    return json(200, { status: 'ok', service, database: 'ok', redis: 'ok' });
  }
  if (sick) return json(500, { status: 'error', detail: 'service unavailable' });
  if (role === 'dashboard' && path === '/api/inventory') {
    return json(200, { items: [{ sku: 'A-100', name: 'Arroz 1kg', stock: 42 }, { sku: 'B-200', name: 'Leche 1L', stock: 17 }] });
  }
  if (role === 'dashboard' && path === '/') return [200, 'text/html', '<h1>Mini Market Dashboard</h1>\n'];
  if (role === 'api' && path === '/stats') return json(200, { cache_hit_rate: 0.94, entries: 18234, latency_p95_ms: 12 });
  return json(404, { status: 'error', detail: `no route ${method} ${path}` });
}

createServer((req, res) => {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? '/', `http://${address}:${port}`);
  const [status, type, body] = route(req.method ?? 'GET', url);
  res.writeHead(status, { 'content-type': type });
  res.end(body);
  // Docker's own health checks would drown the log and the counters: like most servers' access-log filters, skip them.
  if (req.headers['x-demo-healthcheck']) return;
  observe(url.pathname, status, Number(process.hrtime.bigint() - started) / 1e9);
  if (url.pathname === '/metrics') return;
  console.log(`${new Date().toISOString()} INFO ${req.method} ${url.pathname} ${status}`);
}).listen(port, address, () => {
  console.log(`${new Date().toISOString()} INFO ${service} (${role}) listening on ${address}:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
