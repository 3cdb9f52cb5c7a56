/**
 * The demo environment: the blatam and minimarket docker-compose systems (stand-in web services,
 * real Redis, PostgreSQL, Prometheus and Alertmanager), labelled as compose labels them, on host networking. `up`, `break`, `fix`, `down`; state in a JSON file.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { ping, startPrivateEngine, stopPrivateEngine, type PrivateEngine } from './engine.js';
import { ensureImage, PG_UID } from './images.js';
import { hostAliases, planEndpoints, SERVICES, specOf, type Endpoint, type PortLayout, type ServiceSpec } from './services.js';
import { applyBreak, applyFix, waitHealth, type BreakMode } from './faults.js';
import { demoInventory } from './inventory.js';
import { alertmanagerConfig, prometheusConfig, prometheusRules, scrapeTargets } from './monitoring.js';

export { BREAK_MODES, type BreakMode } from './faults.js';

export interface DemoState {
  engine: { kind: 'docker-host'; dockerHost: string } | ({ kind: 'private' } & PrivateEngine);
  layout: PortLayout;
  endpoints: Endpoint[];
  broken: Record<string, BreakMode>;
  /** examples/inventory.yml pointed at this demo's engine. */
  inventoryPath?: string;
}

export interface DemoOptions {
  /** Default: $OPSROOM_DEMO_STATE, else <tmpdir>/opsroom-demo/state.json. */
  statePath?: string;
  /** `seed` (default: 127.0.0.1 and 127.0.0.2) or `isolated` (a random 127.x.y.z pair, for tests). */
  layout?: PortLayout;
  /** Only these projects (default both). */
  projects?: Array<'blatam' | 'minimarket'>;
  log?: (line: string) => void;
  /** Start a private dockerd even when DOCKER_HOST is set (tests). */
  privateEngine?: boolean;
  /** Start the private dockerd in this network namespace (tests of a remote engine). */
  netns?: string;
}

const MEMORY_LIMIT = 512 * 1024 * 1024;

const defaultStatePath = () => process.env.OPSROOM_DEMO_STATE ?? join(tmpdir(), 'opsroom-demo', 'state.json');

export class Demo {
  constructor(readonly docker: Docker, readonly state: DemoState, readonly statePath: string) {}

  /** `DOCKER_HOST` value that reaches this demo's engine (for `opsroom run`). */
  get dockerHost(): string {
    return this.state.engine.kind === 'private' ? `unix://${this.state.engine.socketPath}` : this.state.engine.dockerHost;
  }

  /** `minimarket/dashboard`, `dashboard` (when unique) or a container name. */
  endpoint(name: string): Endpoint {
    const [a, b] = name.split('/');
    const byContainer = this.state.endpoints.filter((e) => b === undefined && e.container === a);
    const hits = byContainer.length ? byContainer : this.state.endpoints.filter((e) =>
      b !== undefined ? e.project === a && e.service === b : e.service === a);
    if (hits.length === 1) return hits[0];
    const all = this.state.endpoints.map((e) => `${e.project}/${e.service}`).join(', ');
    if (hits.length === 0) throw new Error(`No demo service "${name}". Services: ${all}`);
    throw new Error(`"${name}" is ambiguous: ${hits.map((e) => `${e.project}/${e.service}`).join(', ')}`);
  }

  async break(name: string, mode: BreakMode): Promise<Endpoint> {
    const e = this.endpoint(name);
    await applyBreak(this.docker, e, specOf(e), mode);
    this.state.broken[`${e.project}/${e.service}`] = mode;
    this.save();
    return e;
  }

  async fix(name: string): Promise<Endpoint> {
    const e = this.endpoint(name);
    await applyFix(this.docker, e, specOf(e));
    delete this.state.broken[`${e.project}/${e.service}`];
    this.save();
    return e;
  }

  /** Removes the containers, stops a private engine, deletes the state file. */
  async down(): Promise<void> {
    const engine = this.state.engine;
    if (engine.kind === 'private' && !(await ping(this.docker)) && existsSync(engine.dir)) {
      // dockerd died: start it again on its folder so it takes back (and then removes) its containers.
      Object.assign(engine, await startPrivateEngine(engine.dir));
    }
    await removeDemoContainers(this.docker).catch((e) => { if (engine.kind !== 'private') throw e; });
    if (engine.kind === 'private') await stopPrivateEngine(engine);
    rmSync(this.statePath, { force: true });
    if (this.state.inventoryPath) rmSync(this.state.inventoryPath, { force: true });
  }

  save(): void {
    mkdirSync(dirname(this.statePath), { recursive: true });
    writeFileSync(this.statePath, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}

/** Starts (or restarts) every demo service and waits until each reports healthy. */
export async function demoUp(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? (() => {});
  const statePath = options.statePath ?? defaultStatePath();
  const previous = readState(statePath);
  let engine: DemoState['engine'];
  let docker: Docker;
  if (process.env.DOCKER_HOST && !options.privateEngine) {
    engine = { kind: 'docker-host', dockerHost: process.env.DOCKER_HOST };
    docker = new Docker();
    if (!(await ping(docker))) throw new Error(`The Docker engine at DOCKER_HOST=${process.env.DOCKER_HOST} does not answer`);
  } else if (previous?.engine.kind === 'private' && (await ping(new Docker({ socketPath: previous.engine.socketPath })))) {
    engine = previous.engine;
    docker = new Docker({ socketPath: engine.socketPath });
  } else {
    // A private engine that died is started again on its folder (its containers and images come back).
    const dead = previous?.engine.kind === 'private' && existsSync(previous.engine.dir) ? previous.engine.dir : undefined;
    log('starting a private dockerd…');
    const started = Date.now();
    const e = await startPrivateEngine(dead, options.netns);
    engine = { kind: 'private', ...e };
    docker = new Docker({ socketPath: e.socketPath });
    log(`dockerd ready in ${Date.now() - started} ms (${e.socketPath})`);
  }
  const demo = new Demo(docker, { engine, layout: options.layout ?? 'seed', endpoints: [], broken: {} }, statePath);
  try {
    await startServices(demo, options, log);
  } catch (e) {
    // A private engine would outlive the failure (its dockerd, containers and folder): take it all down.
    if (engine.kind === 'private') await demo.down().catch((d) => log(`taking the demo down failed too: ${d}`));
    throw e;
  }
  return demo;
}

async function startServices(demo: Demo, options: DemoOptions, log: (line: string) => void): Promise<void> {
  const { docker } = demo;
  await removeDemoContainers(docker);
  const endpoints = await planEndpoints(options.layout ?? 'seed', options.projects);
  demo.state.endpoints = endpoints;
  demo.save();

  for (const kind of new Set(endpoints.map((e) => specOf(e).image))) {
    const t = Date.now();
    await ensureImage(docker, kind);
    log(`image ${kind} ready in ${Date.now() - t} ms`);
  }
  await Promise.all(endpoints.map((e) => createService(docker, e, specOf(e), endpoints)));
  log('waiting for health checks…');
  let t = Date.now();
  await Promise.all(endpoints.map((e) => waitHealth(docker, e.container, 'healthy', 90_000)));
  log(`healthy in ${Date.now() - t} ms; waiting for Prometheus's first scrapes…`);
  t = Date.now();
  // In another network namespace the services are not reachable from here (only through its host).
  if (!options.netns) await Promise.all(endpoints.filter((e) => specOf(e).image === 'prometheus').map((e) => firstScrape(e)));
  log(`scraped in ${Date.now() - t} ms`);
  demo.state.inventoryPath = writeInventory(demo, demo.statePath);
  demo.save();
}

/**
 * examples/inventory.yml with blatam's and minimarket's engines and HTTP bases pointed at this demo, so
 * `opsroom run … --inventory <this file>` reaches the demo's containers.
 */
function writeInventory(demo: Demo, statePath: string): string | undefined {
  const example = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'inventory.yml');
  if (!existsSync(example)) return undefined;
  const engine = demo.state.engine;
  const socket = engine.kind === 'private' ? engine.socketPath : engine.dockerHost.replace(/^unix:\/\//, '');
  if (engine.kind === 'docker-host' && !engine.dockerHost.startsWith('unix://')) return undefined;
  const text = demoInventory(readFileSync(example, 'utf8'), socket, demo.state.endpoints);
  const path = join(dirname(statePath), 'inventory.yml');
  writeFileSync(path, text);
  return path;
}

/** The demo described by the state file, or null when none is up. */
export async function openDemo(options: Pick<DemoOptions, 'statePath'> = {}): Promise<Demo | null> {
  const statePath = options.statePath ?? defaultStatePath();
  const state = readState(statePath);
  if (!state) return null;
  const docker = state.engine.kind === 'private' ? new Docker({ socketPath: state.engine.socketPath }) : new Docker();
  return new Demo(docker, state, statePath);
}

function readState(path: string): DemoState | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
  } catch {
    return null;
  }
}

async function removeDemoContainers(docker: Docker): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: ['opsroom.demo=1'] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

/** A fake key the minimarket seed prints with `env | grep` (shows redaction at work). */
const DEMO_ENCRYPTION_KEY = 'dk_demo_7f3a9c1e5b2d4f6a8c0e';

/** Waits until a Prometheus has scraped every target once, so queries answer from the start. */
async function firstScrape(e: Endpoint): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await fetch(`${e.url}/api/v1/targets?state=active`).then((x) => x.json(), () => undefined) as { data?: { activeTargets?: Array<{ health: string }> } } | undefined;
    const targets = r?.data?.activeTargets ?? [];
    last = targets.map((t) => t.health).join(',');
    if (targets.length && targets.every((t) => t.health !== 'unknown')) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${e.container} scraped nothing in 30 s (targets: ${last || 'none'})`);
}

async function createService(docker: Docker, e: Endpoint, s: ServiceSpec, endpoints: Endpoint[]): Promise<void> {
  const aliases = hostAliases(endpoints, e.project);
  const env = [
    `DEMO_SERVICE=${s.service}`, `DEMO_ADDR=${e.address}`, `DEMO_PORT=${e.port}`, `DEMO_ERROR=${s.errorLine}`,
    'DEMO_HOG_MB=400', 'TZ=UTC',
  ];
  let cmd: string[];
  let health: string;
  if (s.image === 'web') {
    env.push(`DEMO_ROLE=${s.role}`);
    if (s.role === 'dashboard' || s.role === 'agent') env.push(`DATABASE_ENCRYPTION_KEY=${DEMO_ENCRYPTION_KEY}`);
    cmd = ['node', '/demo/web-server.mjs'];
    health = `wget -q -O /dev/null --header 'X-Demo-Healthcheck: 1' http://${e.address}:${e.port}${s.healthPath}`;
  } else if (s.image === 'prometheus' || s.image === 'alertmanager') {
    env.push(`DEMO_KIND=${s.image}`);
    const am = endpoints.find((x) => x.project === e.project && specOf(x).image === 'alertmanager');
    if (s.image === 'prometheus') env.push(`DEMO_CONFIG=${prometheusConfig(scrapeTargets(endpoints, e.project, specOf), am)}`, `DEMO_RULES=${prometheusRules(e.project)}`);
    else env.push(`DEMO_CONFIG=${alertmanagerConfig()}`);
    cmd = ['/demo/prometheus.sh'];
    health = `wget -q -O /dev/null http://${e.address}:${e.port}${s.healthPath}`;
  } else if (s.image === 'redis') {
    env.push(`REDIS_HOST=${e.address}`, `REDIS_PORT=${e.port}`);
    cmd = ['redis-server', '--bind', e.address, '--port', String(e.port), '--save', '', '--appendonly', 'no'];
    health = '[ "$(redis-cli ping 2>&1)" = PONG ]';
  } else {
    env.push(`PGPORT=${e.port}`, 'PGUSER=postgres', 'PGHOST=/var/run/postgresql');
    if (s.project === 'minimarket') env.push('DEMO_DATABASE=inventario_retail');
    cmd = ['/demo/postgres.sh'];
    health = 'pg_isready -q -t 2';
  }
  const c = await docker.createContainer({
    name: e.container,
    Image: await ensureImage(docker, s.image),
    Cmd: ['/bin/sh', '/demo/supervise.sh', ...cmd],
    Env: env,
    ...(s.image === 'postgres' && { User: `${PG_UID}:${PG_UID}` }),
    Labels: {
      'com.docker.compose.project': e.project,
      'com.docker.compose.service': s.service,
      'com.docker.compose.project.config_files': s.configFile,
      'com.docker.compose.oneoff': 'False',
      'opsroom.demo': '1',
    },
    Healthcheck: { Test: ['CMD-SHELL', health], Interval: 2e9, Timeout: 3e9, Retries: 2, StartPeriod: 0 },
    HostConfig: { NetworkMode: 'host', ExtraHosts: aliases, Memory: MEMORY_LIMIT, MemorySwap: MEMORY_LIMIT, Tmpfs: { '/run/demo': 'mode=1777' } },
    StopTimeout: 5,
  });
  await c.start();
}

export { SERVICES };
