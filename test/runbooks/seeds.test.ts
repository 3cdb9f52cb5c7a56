/**
 * The runbooks opsroom ships, written from the five teams' runbooks (test/fixtures/seeds): they lint,
 * their ids are the issue's list, every one names its seed and section, destructive and
 * secret-printing steps are guarded, and the SSH ones resolve to the exact commands shown.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '#cli/run.js';
import { loadFileConfig, severitiesOf, type FileConfig } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { destructiveReason } from '#core/runbooks/destructive.js';
import { loadRunbooks, type LoadedRunbook } from '#core/runbooks/loader.js';
import type { RunbookStep } from '#core/runbooks/schema.js';
import { suggest } from '#core/runbooks/suggest.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { CONFIG, EXPECTED_IDS, INVENTORY, KUBERNETES_COMMANDS, REQUIRED_PARAMS, ROOT, RUNBOOKS, SEED_OF, SSH_COMMANDS } from './seeds-fixtures.js';

const SYSTEMS = Object.keys(EXPECTED_IDS);
const SEEDS_DIR = process.env.OPSROOM_SEEDS ?? `${ROOT}test/fixtures/seeds`;

let config: FileConfig;
let inventory: Inventory;
const bySystem = new Map<string, LoadedRunbook[]>();
const all = (): LoadedRunbook[] => [...bySystem.values()].flat();
const errorsBySystem = new Map<string, string[]>();

beforeAll(async () => {
  config = loadFileConfig(CONFIG);
  const inv = await loadInventory(INVENTORY);
  expect(inv.errors.map(formatSourceError)).toEqual([]);
  inventory = inv.inventory!;
  for (const system of SYSTEMS) {
    const r = await loadRunbooks(`${RUNBOOKS}/${system}`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory });
    bySystem.set(system, r.runbooks);
    errorsBySystem.set(system, r.errors.map(formatSourceError));
  }
});

/** Everything a step runs or shows, as text, for the keyword checks below. */
function stepText(s: RunbookStep): string {
  if (s.ssh) return s.ssh.command;
  if (s.docker) return typeof s.docker.exec === 'string' ? s.docker.exec : (s.docker.exec ?? []).join(' ');
  if (s.http) return `${s.http.method} ${s.http.url} ${s.http.body ?? ''}`;
  if (s.manual !== undefined) return typeof s.manual === 'string' ? s.manual : `${s.manual.instruction} ${s.manual.command ?? ''}`;
  return '';
}
const steps = () => all().flatMap((rb) => rb.steps.map((s) => ({ rb, s, key: `${rb.id}#${s.id}` })));

describe('seed runbooks: shape and identity', () => {
  it.each(SYSTEMS)('%s: every runbook lints with zero errors against the example inventory and config', (system) => {
    expect(errorsBySystem.get(system)).toEqual([]);
  });

  it.each(SYSTEMS)('%s: ids are exactly the issue\'s list', (system) => {
    const ids = bySystem.get(system)!.map((r) => r.id).sort();
    expect(ids).toEqual(EXPECTED_IDS[system].map((id) => `${system}/${id}`).sort());
  });

  it('every runbook names its seed file and a section', () => {
    for (const rb of all()) {
      const system = rb.id.split('/')[0];
      expect(rb.source?.file, rb.id).toBe(SEED_OF[system]);
      expect(rb.source?.section?.length ?? 0, rb.id).toBeGreaterThan(3);
    }
  });

  it('every section named in `source` is a heading of that seed (seeds read from OPSROOM_SEEDS or test/fixtures/seeds)', () => {
    for (const rb of all()) {
      const seed = readFileSync(`${SEEDS_DIR}/${rb.source!.file}`, 'utf8');
      for (const part of rb.source!.section!.split(/ > |; /)) expect(seed, `${rb.id}: "${part}"`).toContain(part);
    }
  });

  it('severities are the team\'s own names, and each one resolves to an opsroom level through severityAliases', () => {
    const used = new Set(all().filter((r) => r.severity).map((r) => `${r.id.split('/')[0]}:${r.severity}`));
    for (const name of ['blatam:Crítica', 'blatam:Alta', 'blatam:Media', 'ai-multimodel:P0'])
      expect(used).toContain(name);
    // P1 in the ai-multimodel seed is opsroom's P2: runbooks there must not say P1 (global P1 would win).
    expect(all().filter((r) => r.id.startsWith('ai-multimodel/') && /^P[1-3]$/.test(r.severity ?? ''))).toEqual([]);
  });
});

/** Steps that change state but are declared `danger: false` on purpose, with why. */
const NOT_DANGEROUS: Record<string, string> = {
  'ai-multimodel/pre-deployment#backup': 'creates a backup',
  'ai-multimodel/api-key-compromise#new-key': 'issues the replacement key (output redacted)',
  'ai-multimodel/api-key-compromise#audit': 'a search sent as POST, as the seed does with curl -d',
  'ai-multimodel/model-unavailable#reconnect': 'retries the provider connection',
  'ai-multimodel/suspicious-usage#report': 'generates a report',
  'bff/log-cleanup#sessions': 'drops expired sessions only',
  'bff/incident-response#sudo-check': 'sudo -l lists the permission, restarts nothing',
  'bff/celery-beat-stuck#sudo-check': 'sudo -l lists the permission, restarts nothing',
  'bff/celery-workers-stuck#sudo-check': 'sudo -l lists the permission, restarts nothing',
  'bff/postgres-down#sudo-check': 'sudo -l lists the permission, restarts nothing',
  'bff/redis-down#sudo-check': 'sudo -l lists the permission, restarts nothing',
  'minimarket/restore#start-agente-deposito': 'starts the services the restore stopped',
  'minimarket/restore#start-agente-negocio': 'starts the services the restore stopped',
  'minimarket/restore#start-dashboard': 'starts the services the restore stopped',
};
/** The list of destructive commands. */
const DESTRUCTIVE = /\b(restart|purge|flushall|flushdb|drop database|rollout undo|scale|delete pod|delete secret|delete rs|delete configmap|-delete|revoke|pg_restore|generate_certs|reindex|vacuum|clear(_cache)?\(|invalidate_pattern|DEBUG RELOAD|CONFIG SET|apply -f|patch)\b|psql [^|]*< /i;

describe('seed runbooks: guarded steps', () => {
  it('a step that looks destructive is dangerous, unless listed here with a reason', () => {
    const offenders = steps().filter(({ s, key }) => (destructiveReason(s) || DESTRUCTIVE.test(stepText(s))) && s.danger !== true && !(key in NOT_DANGEROUS));
    expect(offenders.map((o) => `${o.key}: ${stepText(o.s).slice(0, 80)}`)).toEqual([]);
  });

  it('docker restart/stop and HTTP DELETE (key revocation) are dangerous', () => {
    const found = steps().filter(({ s }) => s.docker?.restart || s.docker?.stop || s.http?.method === 'DELETE');
    expect(found.length).toBeGreaterThan(20);
    expect(found.filter(({ s }) => s.danger !== true).map((f) => f.key)).toEqual([]);
  });

  it('every explicit `danger: false` is one of the listed exceptions', () => {
    expect(steps().filter(({ s }) => s.danger === false).map((f) => f.key).sort()).toEqual(Object.keys(NOT_DANGEROUS).sort());
  });

  it('steps that print secrets (the encryption key, kubectl get secrets -o yaml) are dangerous and redacted; read-only checks that test the key without printing it are not', () => {
    const SECRET = /cat \.env|DATABASE_ENCRYPTION_KEY(?![^\n]*\| wc -c)|get secrets? [^\n]*-o yaml/;
    const found = steps().filter(({ s }) => SECRET.test(stepText(s)) && !s.read_only);
    expect(found.map((f) => f.key).sort()).toEqual([
      'ai-multimodel/certificate-renewal#secret', 'ai-multimodel/daily-backup#secrets',
      'minimarket/encrypted-data-inaccessible#add-key', 'minimarket/encrypted-data-inaccessible#decrypt',
    ]);
    for (const { s, key } of found) expect({ key, danger: s.danger, redact: s.redact }).toEqual({ key, danger: true, redact: true });
  });

  it('placeholders are typed parameters: every string parameter has a pattern or is a secret from the environment', () => {
    for (const rb of all())
      for (const [name, p] of Object.entries(rb.params))
        if (p.type === 'string') expect(p.pattern !== undefined || p.from?.startsWith('env.'), `${rb.id}.${name}`).toBe(true);
    const param = (id: string, name: string) => all().find((r) => r.id === id)?.params[name];
    expect(param('denis/queue-growing', 'queue')?.pattern).toBeDefined();
    expect(param('denis/graph-slow', 'neo4j_password')?.from).toBe('env.NEO4J_PASSWORD');
    expect(param('ai-multimodel/model-unavailable', 'model')?.pattern).toBeDefined();
    expect(param('ai-multimodel/api-key-compromise', 'api_key_id')?.pattern).toBeDefined();
    expect(param('minimarket/restore', 'backup_file')?.pattern).toBeDefined();
  });

  it('docker steps target their system\'s compose project or a container the inventory lists', () => {
    for (const { rb, s, key } of steps()) {
      if (!s.docker) continue;
      const system = inventory.systems![rb.id.split('/')[0]];
      if (s.docker.container) expect(Object.keys(system.containers ?? {}), key).toContain(s.docker.container);
      else expect(Object.keys(system.projects), key).toContain(s.docker.project ?? rb.docker?.project);
    }
  });

  it('escalation rules and escalate steps page names the example opsroom.yml maps to PagerDuty', () => {
    const policies = Object.keys(config.pagerduty?.escalationPolicies ?? {});
    for (const rb of all()) {
      for (const e of rb.escalate) if (e.page) expect(policies, `${rb.id}: ${e.when}`).toContain(e.page);
      for (const s of rb.steps) if (s.escalate) expect(policies, `${rb.id}#${s.id}`).toContain(s.escalate.to);
    }
    for (const id of EXPECTED_IDS.denis) expect(all().find((r) => r.id === `denis/${id}`)!.escalate.length).toBeGreaterThan(0);
  });
});

describe('seed runbooks: suggestions', () => {
  const top = (title: string, n: number) => suggest(all(), { title }, n).map((s) => s.runbook.id);
  it.each([
    ['Redis caído', ['denis/redis-down', 'bff/redis-down']],
    ['Dashboard caído', ['minimarket/dashboard-down']],
    ['Celery workers stuck', ['bff/celery-workers-stuck', 'denis/workers-stuck']],
    ['API key comprometida', ['ai-multimodel/api-key-compromise']],
    ['Certificados TLS expirados', ['minimarket/tls-certificates-expired', 'ai-multimodel/certificate-renewal']],
    ['Neo4j lento', ['denis/graph-slow']],
  ])('"%s" suggests %j first', (title, expected) => {
    expect(top(title, expected.length).sort()).toEqual([...expected].sort());
  });
});

async function dryRun(id: string, params: Record<string, string>): Promise<{ code: number; out: string }> {
  let out = '';
  const args = [id, '--dry-run', '--runbooks', RUNBOOKS, '--inventory', INVENTORY, '--config', CONFIG,
    ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
  const code = await runCommand(args, { out: (t) => void (out += t), err: (t) => void (out += t), env: {} });
  return { code, out };
}

describe('seed runbooks: SSH dry runs show the exact commands', () => {
  it('every runbook with an ssh step has an expected command below', () => {
    const withSsh = all().filter((r) => r.steps.some((s) => s.ssh)).map((r) => r.id).sort();
    expect(withSsh).toEqual(Object.keys(SSH_COMMANDS).sort());
  });

  it.each(Object.entries(SSH_COMMANDS))('%s', async (id, command) => {
    const { code, out } = await dryRun(id, REQUIRED_PARAMS[id] ?? {});
    expect(code, out).toBe(0);
    expect(out.split('\n').map((l) => l.trim())).toContain(`command: ${command}`);
    for (const [name, value] of Object.entries(REQUIRED_PARAMS[id] ?? {}))
      if (all().find((r) => r.id === id)!.params[name]?.from?.startsWith('env.')) expect(out).not.toContain(value);
  });

  it('every runbook with a kubernetes step has an expected kubectl command', () => {
    const withKube = all().filter((r) => r.steps.some((s) => s.kubernetes)).map((r) => r.id).sort();
    expect(withKube).toEqual(Object.keys(KUBERNETES_COMMANDS).sort());
  });

  it.each(Object.entries(KUBERNETES_COMMANDS))('%s: kubectl with the system\'s context and namespace', async (id, command) => {
    const { code, out } = await dryRun(id, REQUIRED_PARAMS[id] ?? {});
    expect(code, out).toBe(0);
    const lines = out.split('\n').map((l) => l.trim());
    expect(lines).toContain(`command: ${command}`);
    // Every kubectl step names its context: none runs with the bastion's current one.
    for (const l of lines.filter((x) => x.startsWith('target:  kubernetes:'))) expect(l).not.toContain('kubernetes:?/');
  });

  it('a parameter that does not fit its pattern refuses the whole run', async () => {
    const { code, out } = await dryRun('denis/queue-growing', { queue: 'default; rm -rf /' });
    expect(code).toBe(2);
    expect(out).toMatch(/queue/);
    expect(out).not.toContain('command:');
  });
});
