/**
 * The demo's systems: what runs, under which compose labels and container names, on which port.
 * Names follow the seeds (000 blatam, 002 minimarket) so their runbooks target them unchanged.
 */
import { createServer } from 'node:net';

export type ImageKind = 'web' | 'redis' | 'postgres' | 'prometheus' | 'alertmanager';
/** How a web stand-in answers: which paths it serves (see rootfs/web-server.mjs). */
type WebRole = 'dashboard' | 'agent' | 'api' | 'grafana' | 'loki';

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
  { ...mm, service: 'prometheus', container: 'prometheus', image: 'prometheus', port: 9090, configFile: obs, healthPath: '/-/healthy',
    errorLine: 'level=error component="scrape manager" msg="Error scraping target" err="connection refused"' },
  { ...mm, service: 'grafana', container: 'grafana', image: 'web', role: 'grafana', port: 3000, configFile: obs, healthPath: '/api/health',
    errorLine: 'logger=sqlstore level=error msg="Database error" error="database is locked"' },
  { ...mm, service: 'loki', container: 'loki', image: 'web', role: 'loki', port: 3100, configFile: obs, healthPath: '/ready',
    errorLine: 'level=error caller=flush.go msg="failed to flush chunks" err="no space left on device"' },
  { ...mm, service: 'alertmanager', container: 'alertmanager', image: 'alertmanager', port: 9093, configFile: obs, healthPath: '/-/healthy',
    errorLine: 'level=error component=dispatcher msg="Notify for alerts failed" err="webhook: connection refused"' },
  { ...bl, service: 'api', container: 'blatam-api-1', image: 'web', role: 'api', port: 8000, healthPath: '/health',
    errorLine: 'ERROR kv_cache: eviction storm, cache hit rate below threshold' },
  { ...bl, service: 'postgres', container: 'blatam-postgres-1', image: 'postgres', port: 5432,
    errorLine: 'ERROR:  could not serialize access due to concurrent update' },
  { ...bl, service: 'redis', container: 'blatam-redis-1', image: 'redis', port: 6379,
    errorLine: '# ERROR Connection with replica lost' },
  { ...bl, service: 'prometheus', container: 'blatam-prometheus-1', image: 'prometheus', port: 9090, healthPath: '/-/healthy',
    errorLine: 'level=error msg="Error scraping target" err="context deadline exceeded"' },
  { ...bl, service: 'grafana', container: 'blatam-grafana-1', image: 'web', role: 'grafana', port: 3000, healthPath: '/api/health',
    errorLine: 'logger=context level=error msg="Request error" error="datasource not found"' },
];

/**
 * Where each service listens; ports are always the seeds'.
 * `seed`: minimarket on 127.0.0.1, blatam on 127.0.0.2 (the runbooks' defaults work as written).
 * `isolated`: both on a random 127.x.y.z pair, so a test's demo never collides with anything;
 * runbooks reach it through their `host` parameters.
 */
export type PortLayout = 'seed' | 'isolated';

export interface Endpoint {
  project: string;
  service: string;
  container: string;
  address: string;
  port: number;
  /** `http://address:port` for web services. */
  url?: string;
}

export async function planEndpoints(layout: PortLayout, projects?: string[]): Promise<Endpoint[]> {
  const wanted = SERVICES.filter((s) => !projects || projects.includes(s.project));
  for (let attempt = 0; attempt < 10; attempt++) {
    const addresses = layout === 'seed' ? { minimarket: '127.0.0.1', blatam: '127.0.0.2' } : randomLoopbacks();
    const out = wanted.map((s) => {
      const address = addresses[s.project];
      return {
        project: s.project, service: s.service, container: s.container, address, port: s.port,
        ...(s.healthPath !== undefined && { url: `http://${address}:${s.port}` }),
      };
    });
    const busy = (await Promise.all(out.map(async (e) => ((await canBind(e.address, e.port)) ? null : e)))).filter(Boolean);
    if (busy.length === 0) return out;
    if (layout === 'seed') {
      throw new Error(`Ports already in use: ${busy.map((e) => `${e!.address}:${e!.port} (${e!.project}/${e!.service})`).join(', ')}. ` +
        'Stop what uses them, or run `npm run demo:up -- --isolated`.');
    }
  }
  throw new Error('No free loopback address found for the demo');
}

/** The project's other services by name, as compose's network would resolve them. */
export function hostAliases(endpoints: Endpoint[], project: string): string[] {
  return endpoints.filter((e) => e.project === project).flatMap((e) => [`${e.service}:${e.address}`, `${e.container}:${e.address}`]);
}

function randomLoopbacks(): Record<ServiceSpec['project'], string> {
  const x = 1 + Math.floor(Math.random() * 254);
  const y = 1 + Math.floor(Math.random() * 254);
  return { minimarket: `127.${x}.${y}.10`, blatam: `127.${x}.${y}.20` };
}

function canBind(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

export function specOf(e: { project: string; service: string }): ServiceSpec {
  const s = SERVICES.find((x) => x.project === e.project && x.service === e.service);
  if (!s) throw new Error(`No demo service ${e.project}/${e.service}`);
  return s;
}
