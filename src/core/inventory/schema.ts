import { z } from 'zod';
import { normalizeSystem, systemProblems, systemShape, type InventorySystem } from './systems.js';

/**
 * The inventory: where steps run. SSH hosts (host keys are always verified, so every host names
 * its key), the Docker endpoint, the compose projects and containers runbooks may target, and the
 * environment variables whose values are secrets to redact.
 */

const KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'rsa-sha2-256',
  'rsa-sha2-512',
] as const;

/**
 * Normalizes an OpenSSH public key line to `type base64`, accepting `ssh-keyscan` output (with the
 * host name first) too. Returns undefined when it is not a key whose blob names its own type.
 */
export function parseHostKey(line: string): { type: string; base64: string; line: string } | undefined {
  const fields = line.trim().split(/\s+/);
  const at = KEY_TYPES.includes(fields[0] as never) ? 0 : KEY_TYPES.includes(fields[1] as never) ? 1 : -1;
  if (at < 0 || !fields[at + 1] || !/^[A-Za-z0-9+/]+={0,2}$/.test(fields[at + 1])) return undefined;
  const type = fields[at];
  const blob = Buffer.from(fields[at + 1], 'base64');
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  const blobType = blob.subarray(4, 4 + len).toString('latin1');
  // rsa-sha2-* are signature names; the key blob itself says ssh-rsa.
  const expected = type.startsWith('rsa-sha2-') ? 'ssh-rsa' : type;
  if (blobType !== expected) return undefined;
  return { type: expected, base64: fields[at + 1], line: `${expected} ${fields[at + 1]}` };
}

const HostKeySchema = z
  .string()
  .transform((s, ctx) => {
    const k = parseHostKey(s);
    if (!k) {
      ctx.addIssue({
        code: 'custom',
        message: 'host_key must be the host\'s public key line, e.g. "ssh-ed25519 AAAAC3Nza..." (ssh-keyscan -t ed25519 <host>)',
      });
      return z.NEVER;
    }
    return k.line;
  })
  .describe('The host\'s public key ("ssh-ed25519 AAAA..."). Connections to a host presenting another key are refused.');

const HostNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'host names are lowercase letters, digits, ".", "-" and "_"');

const HostSchema = z.strictObject({
  address: z.string().min(1).describe('IP address or DNS name.'),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  key_path: z.string().min(1).describe('Private key file (~ is expanded).'),
  host_key: HostKeySchema,
  description: z.string().optional(),
});

const DockerEndpointSchema = z
  .strictObject({
    socket_path: z.string().min(1).optional().describe('Unix socket (default /var/run/docker.sock).'),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    projects: z
      .record(z.string().min(1), z.strictObject({ services: z.array(z.string().min(1)).default([]) }))
      .optional()
      .describe('Compose projects runbooks may target; when given, lint checks docker steps against it.'),
    containers: z.array(z.string().min(1)).optional().describe('Container names runbooks may target.'),
  })
  .refine((d) => !(d.socket_path && d.host), 'give socket_path or host, not both');

const InventoryInput = z
  .strictObject({
    $schema: z.string().optional(),
    systems: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'system names are a runbook folder: lowercase letters, digits, "-", "_"'), systemShape(HostSchema))
      .optional()
      .describe('Each system (a runbook\'s first folder): hosts, Docker engines, compose projects, containers, HTTP bases.'),
    hosts: z.record(HostNameSchema, HostSchema).default({}).describe('Hosts every system may use (shared bastions).'),
    docker: DockerEndpointSchema.optional().describe('Deprecated: the old single engine for every runbook. Use systems.<name>.engines.'),
    secrets: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'secrets are environment variable names'))
      .default([])
      .describe('Environment variables whose values are redacted from every output.'),
  })
  .superRefine((inv, ctx) => {
    if (inv.systems && inv.docker)
      ctx.addIssue({
        code: 'custom',
        path: ['docker'],
        message: 'the old single-engine shape cannot stand beside systems:; move it into ' +
          'systems.<name>.engines (socket_path → { socket }), docker.projects → systems.<name>.projects, docker.containers → systems.<name>.containers',
      });
    const seen = new Map<string, string>(Object.keys(inv.hosts).map((h) => [h, 'hosts']));
    for (const [name, s] of Object.entries(inv.systems ?? {})) {
      for (const p of systemProblems(s)) ctx.addIssue({ code: 'custom', path: ['systems', name, ...p.path], message: p.message });
      for (const h of Object.keys(s.hosts)) {
        if (!HostNameSchema.safeParse(h).success)
          ctx.addIssue({ code: 'custom', path: ['systems', name, 'hosts', h], message: 'host names are lowercase letters, digits, ".", "-" and "_"' });
        const other = seen.get(h);
        if (other) ctx.addIssue({ code: 'custom', path: ['systems', name, 'hosts', h], message: `host "${h}" is also in ${other}: host names are unique across the inventory` });
        seen.set(h, `systems.${name}.hosts`);
      }
    }
  });

/** The systems of an old single-engine inventory: one implicit system every runbook belongs to. */
function legacySystem(d: z.infer<typeof DockerEndpointSchema>): InventorySystem {
  return {
    name: '*', implicit: true, hosts: [], engines: {}, http: {},
    projects: Object.fromEntries(Object.entries(d.projects ?? {}).map(([k, p]) => [k, { project: k, services: p.services }])),
    ...(d.containers ? { containers: Object.fromEntries(d.containers.map((c) => [c, { name: c }])) } : {}),
  };
}

export const InventorySchema = InventoryInput.transform((inv) => {
  const systems = inv.systems
    ? Object.fromEntries(Object.entries(inv.systems).map(([n, s]) => [n, normalizeSystem(n, s)]))
    : { '*': legacySystem(inv.docker ?? {}) };
  const hosts = { ...inv.hosts };
  for (const s of Object.values(inv.systems ?? {})) Object.assign(hosts, s.hosts);
  return { ...(inv.$schema ? { $schema: inv.$schema } : {}), hosts, docker: inv.docker ?? {}, systems, secrets: inv.secrets } as Inventory;
});

export interface Inventory {
  $schema?: string;
  /** Every host: the shared ones and each system's. */
  hosts: Record<string, InventoryHost>;
  /** The old single engine (empty with systems:). */
  docker: z.infer<typeof DockerEndpointSchema>;
  /** Missing in hand-built inventories: then every runbook uses `docker` (the old shape). */
  systems?: Record<string, InventorySystem>;
  secrets: string[];
}
type InventoryHost = z.infer<typeof HostSchema>;

export const EMPTY_INVENTORY: Inventory = { hosts: {}, docker: {}, secrets: [] };

/** The system a runbook belongs to: its first folder, or the implicit one of an old inventory. */
export function systemOf(inv: Inventory, runbookId: string | undefined): InventorySystem | undefined {
  const systems = inv.systems ?? { '*': legacySystem(inv.docker) };
  const first = runbookId?.includes('/') ? runbookId.split('/')[0] : undefined;
  return (first !== undefined ? systems[first] : undefined) ?? systems['*'];
}
