import { z } from 'zod';
import { EngineSchema, type EngineSpec } from './engines.js';
import { KubernetesAccessSchema, type KubernetesAccess } from './kubernetes.js';

/**
 * A system (blatam, minimarket, …: a runbook's first folder): its hosts, Docker engines, compose
 * projects and containers mapped from the names runbooks use to the real ones, and its HTTP bases.
 * A runbook keeps naming logical things; switching inventories moves it between environments.
 */

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const name = (what: string) => z.string().regex(NAME_RE, `${what} is a Docker name (letters, digits, "_", ".", "-")`);
const LOGICAL_RE = /^[a-z0-9][a-z0-9_-]*$/;
const logical = z.string().regex(LOGICAL_RE, 'names are lowercase letters, digits, "-" and "_"');

const ProjectMapSchema = z.strictObject({
  project: name('project').optional().describe('The real compose project name (default: the name runbooks use).'),
  engine: z.string().min(1).optional().describe('Engine it runs on (default: the system\'s only engine, or `engine`).'),
  services: z.array(z.string().min(1)).default([]).describe('Its services; when given, lint checks steps against them.'),
});

const ContainerMapSchema = z.union([
  name('container').describe('The real container name.'),
  z.strictObject({ name: name('container'), engine: z.string().min(1).optional() }),
], { error: 'a container is its real name, or { name, engine }' });

const HttpBaseSchema = z.union([
  z.string().regex(/^https?:\/\/[^\s/?#]+$/, 'a base is scheme://host[:port], no path, e.g. http://localhost:8080'),
  z.strictObject({
    url: z.string().regex(/^https?:\/\/[^\s/?#]+$/, 'a base is scheme://host[:port], no path, e.g. http://localhost:8080'),
    via: z.string().min(1).optional().describe('Send the request through an SSH tunnel from this host: localhost is its localhost.'),
  }),
], { error: 'an http base is "http://host:port" or { url, via: <host> }' });

/** The system's fields as written (hosts are checked by the inventory schema, which owns HostSchema). */
export const systemShape = <H extends z.ZodType>(host: H) => z.strictObject({
  description: z.string().optional(),
  hosts: z.record(z.string(), host).default({}).describe('SSH hosts of this system (names unique across the inventory).'),
  engines: z.record(logical, EngineSchema).default({}).describe('Docker engines its projects and containers live on.'),
  engine: z.string().min(1).optional().describe('Default engine of its projects and containers (needed with several).'),
  projects: z.record(logical, ProjectMapSchema).default({}).describe('Compose projects by the name runbooks use.'),
  containers: z
    .union([z.record(z.string().regex(NAME_RE), ContainerMapSchema), z.array(name('container'))])
    .optional()
    .describe('Containers runbooks may name: logical name → real name (a list: the same names).'),
  http: z.record(logical, HttpBaseSchema).default({}).describe('HTTP bases that runbook http steps name as `base:`.'),
  kubernetes: KubernetesAccessSchema.optional(),
});

/** A system as the rest of opsroom sees it: every default filled in, every name resolved. */
export interface InventorySystem {
  name: string;
  hosts: string[];
  engines: Record<string, EngineSpec>;
  projects: Record<string, { project: string; engine?: string; services: string[] }>;
  /** undefined: any container name, on the default engine. */
  containers?: Record<string, { name: string; engine?: string }>;
  http: Record<string, { url: string; via?: string }>;
  kubernetes?: KubernetesAccess;
  defaultEngine?: string;
  /** The old single-engine inventory: one system for every runbook, on the runner's default engine. */
  implicit?: boolean;
}

type Written = z.infer<ReturnType<typeof systemShape<z.ZodType>>>;

export function normalizeSystem(system: string, s: Written): InventorySystem {
  const engineNames = Object.keys(s.engines);
  const defaultEngine = s.engine ?? (engineNames.length === 1 ? engineNames[0] : undefined);
  const containers = s.containers === undefined
    ? undefined
    : Array.isArray(s.containers)
      ? Object.fromEntries(s.containers.map((c) => [c, { name: c, engine: defaultEngine }]))
      : Object.fromEntries(Object.entries(s.containers).map(([k, v]) =>
        [k, typeof v === 'string' ? { name: v, engine: defaultEngine } : { name: v.name, engine: v.engine ?? defaultEngine }]));
  return {
    name: system,
    hosts: Object.keys(s.hosts),
    engines: s.engines,
    projects: Object.fromEntries(Object.entries(s.projects).map(([k, p]) =>
      [k, { project: p.project ?? k, engine: p.engine ?? defaultEngine, services: p.services }])),
    ...(containers ? { containers } : {}),
    http: Object.fromEntries(Object.entries(s.http).map(([k, b]) => [k, typeof b === 'string' ? { url: b } : b])),
    ...(defaultEngine ? { defaultEngine } : {}),
    ...(s.kubernetes ? { kubernetes: s.kubernetes } : {}),
  };
}

/** Cross-references inside one system: engines, ssh engines' hosts, http `via` hosts. */
export function systemProblems(s: Written): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const engines = Object.keys(s.engines);
  const hosts = Object.keys(s.hosts);
  const known = (e: string | undefined, path: (string | number)[]) => {
    if (e !== undefined && !s.engines[e])
      out.push({ path, message: `engine "${e}" is not one of this system's engines (${engines.join(', ') || 'none'})` });
  };
  known(s.engine, ['engine']);
  for (const [n, e] of Object.entries(s.engines))
    if ('ssh' in e && !s.hosts[e.ssh])
      out.push({ path: ['engines', n, 'ssh'], message: `host "${e.ssh}" is not one of this system's hosts (${hosts.join(', ') || 'none'}); its pinned host key verifies the tunnel` });
  const needsDefault = engines.length > 1 && s.engine === undefined;
  for (const [n, p] of Object.entries(s.projects)) {
    known(p.engine, ['projects', n, 'engine']);
    if (p.engine === undefined && needsDefault) out.push({ path: ['projects', n], message: `project "${n}": name its engine (the system has several)` });
    if (engines.length === 0) out.push({ path: ['projects', n], message: `project "${n}": the system has no engines` });
  }
  if (s.containers && !Array.isArray(s.containers))
    for (const [n, c] of Object.entries(s.containers)) {
      const e = typeof c === 'string' ? undefined : c.engine;
      known(e, ['containers', n, 'engine']);
      if (e === undefined && needsDefault) out.push({ path: ['containers', n], message: `container "${n}": name its engine (the system has several)` });
    }
  for (const [n, b] of Object.entries(s.http))
    if (typeof b !== 'string' && b.via !== undefined && !s.hosts[b.via])
      out.push({ path: ['http', n, 'via'], message: `host "${b.via}" is not one of this system's hosts (${hosts.join(', ') || 'none'})` });
  return out;
}
