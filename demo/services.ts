/**
 * The demo's systems: what runs, under which compose labels and container names, on which port.
 * Names follow the seeds (000 blatam, 002 minimarket) so their runbooks target them unchanged.
 */
import { createServer } from 'node:net';

export type ImageKind = 'web' | 'redis' | 'postgres';
/** How a web stand-in answers: which paths it serves (see rootfs/web-server.mjs). */
export type WebRole = 'dashboard' | 'agent' | 'api' | 'prometheus' | 'grafana' | 'loki' | 'alertmanager';

export interface ServiceSpec {
  project: 'blatam' | 'minimarket';
  service: string;
  container: string;
  image: ImageKind;
  role?: WebRole;
  /** The port the seed uses. */
  port: number;
  /** The compose file the seed names for it (a label, for people reading `docker inspect`). */
  configFile: string;
  /** What the service logs when broken with `errors`. */
  errorLine: string;
  /** Path the health check and `/health`-style runbook steps hit (web services). */
  healthPath?: string;
}

const mm = { project: 'minimarket' as const };
const prod = 'docker-compose.production.yml';
const obs = 'docker-compose.observability.yml';
const bl = { project: 'blatam' as const, configFile: 'docker-compose.yml' };

export const SERVICES: readonly ServiceSpec[] = [
  { ...mm, service: 'dashboard', container: 'dashboard', image: 'web', role: 'dashboard', port: 8080, configFile: prod, healthPath: '/health',
    errorLine: 'ERROR psycopg2.OperationalError: could not connect to server: Connection refused (postgres:5432)' },
  { ...mm, service: 'agente-deposito', container: 'agente-deposito', image: 'web', role: 'agent', port: 8001, configFile: prod, healthPath: '/health',
    errorLine: 'ERROR exception in stock sync: timeout talking to dashboard' },
  { ...mm, service: 'agente-negocio', container: 'agente-negocio', image: 'web', role: 'agent', port: 8002, configFile: prod, healthPath: '/health',
    errorLine: 'ERROR exception in pricing job: database connection lost' },
  { ...mm, service: 'postgres', container: 'inventario_retail_db', image: 'postgres', port: 5432, configFile: prod,
    errorLine: 'FATAL:  remaining connection slots are reserved for non-replication superuser connections' },
  { ...mm, service: 'redis', container: 'redis', image: 'redis', port: 6379, configFile: prod,
    errorLine: '# ERROR OOM command not allowed when used memory > maxmemory' },
  { ...mm, service: 'prometheus', container: 'prometheus', image: 'web', role: 'prometheus', port: 9090, configFile: obs, healthPath: '/-/healthy',
    errorLine: 'level=error component="scrape manager" msg="Error scraping target" err="connection refused"' },
  { ...mm, service: 'grafana', container: 'grafana', image: 'web', role: 'grafana', port: 3000, configFile: obs, healthPath: '/api/health',
    errorLine: 'logger=sqlstore level=error msg="Database error" error="database is locked"' },
  { ...mm, service: 'loki', container: 'loki', image: 'web', role: 'loki', port: 3100, configFile: obs, healthPath: '/ready',
    errorLine: 'level=error caller=flush.go msg="failed to flush chunks" err="no space left on device"' },
  { ...mm, service: 'alertmanager', container: 'alertmanager', image: 'web', role: 'alertmanager', port: 9093, configFile: obs, healthPath: '/-/healthy',
    errorLine: 'level=error component=dispatcher msg="Notify for alerts failed" err="webhook: connection refused"' },
  { ...bl, service: 'api', container: 'blatam-api-1', image: 'web', role: 'api', port: 8000, healthPath: '/health',
    errorLine: 'ERROR kv_cache: eviction storm, cache hit rate below threshold' },
  { ...bl, service: 'postgres', container: 'blatam-postgres-1', image: 'postgres', port: 5432,
    errorLine: 'ERROR:  could not serialize access due to concurrent update' },
  { ...bl, service: 'redis', container: 'blatam-redis-1', image: 'redis', port: 6379,
    errorLine: '# ERROR Connection with replica lost' },
  { ...bl, service: 'prometheus', container: 'blatam-prometheus-1', image: 'web', role: 'prometheus', port: 9090, healthPath: '/-/healthy',
    errorLine: 'level=error msg="Error scraping target" err="context deadline exceeded"' },
  { ...bl, service: 'grafana', container: 'blatam-grafana-1', image: 'web', role: 'grafana', port: 3000, healthPath: '/api/health',
    errorLine: 'logger=context level=error msg="Request error" error="datasource not found"' },
];

/** Where each service listens. `seed`: the seeds' ports (minimarket on 127.0.0.1, blatam on 127.0.0.2); `free`: free ports on 127.0.0.1. */
export type PortLayout = 'seed' | 'free';

export interface Endpoint {
  project: string;
  service: string;
  container: string;
  address: string;
  port: number;
  /** `http://address:port` for web services. */
  url?: string;
}

export async function planEndpoints(layout: PortLayout): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  for (const s of SERVICES) {
    const address = layout === 'seed' && s.project === 'blatam' ? '127.0.0.2' : '127.0.0.1';
    const port = layout === 'seed' ? s.port : await freePort();
    out.push({
      project: s.project, service: s.service, container: s.container, address, port,
      ...(s.image === 'web' && { url: `http://${address}:${port}` }),
    });
  }
  return out;
}

export function specOf(e: { project: string; service: string }): ServiceSpec {
  const s = SERVICES.find((x) => x.project === e.project && x.service === e.service);
  if (!s) throw new Error(`No demo service ${e.project}/${e.service}`);
  return s;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
