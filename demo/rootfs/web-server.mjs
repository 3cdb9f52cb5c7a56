// The demo's HTTP stand-ins (dashboard, agents, blatam api, prometheus, grafana, loki, alertmanager).
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

/** Query results Prometheus stand-ins return: healthy values, and what a broken system shows. */
const METRICS = {
  up: () => 1,
  kv_cache_latency_seconds: () => (unhealthy() ? 2.5 : 0.012),
  kv_cache_hit_rate: () => (unhealthy() ? 0.31 : 0.94),
  'rate(http_requests_total[5m])': () => (unhealthy() ? 48.2 : 12.7),
};

function route(method, url) {
  const sick = unhealthy();
  const path = url.pathname;
  if (path === '/health' || path === '/api/health' || path === '/-/healthy' || path === '/-/ready' || path === '/ready') {
    if (sick) return role === 'loki' ? text(503, 'Ingester not ready\n') : json(500, { status: 'error', service, detail: 'dependency check failed' });
    if (role === 'prometheus') return text(200, 'Prometheus Server is Healthy.\n');
    if (role === 'alertmanager') return text(200, 'OK');
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
  if (role === 'prometheus' && path === '/api/v1/query') {
    const q = url.searchParams.get('query') ?? '';
    const value = METRICS[q]?.();
    const result = value === undefined ? [] : [{ metric: { __name__: q, job: service }, value: [Date.now() / 1000, String(value)] }];
    return json(200, { status: 'success', data: { resultType: 'vector', result } });
  }
  if (role === 'alertmanager' && path === '/api/v2/status') {
    return json(200, { cluster: { status: 'ready', peers: [] }, versionInfo: { version: '0.27.0' }, uptime: new Date().toISOString() });
  }
  if (role === 'alertmanager' && path === '/api/v2/alerts') return json(200, []);
  if (path === '/metrics') return text(200, `# TYPE up gauge\nup{service="${service}"} 1\n`);
  return json(404, { status: 'error', detail: `no route ${method} ${path}` });
}

createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${address}:${port}`);
  const [status, type, body] = route(req.method ?? 'GET', url);
  res.writeHead(status, { 'content-type': type });
  res.end(body);
  // Docker's own health checks would drown the log: like most servers' access-log filters, skip them.
  if (req.headers['x-demo-healthcheck']) return;
  console.log(`${new Date().toISOString()} INFO ${req.method} ${url.pathname} ${status}`);
}).listen(port, address, () => {
  console.log(`${new Date().toISOString()} INFO ${service} (${role}) listening on ${address}:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
