/**
 * The blatam and minimarket runbooks against the demo environment (demo/): every Docker and HTTP
 * diagnostic step (not dangerous; docker exec/logs/stats/ps, HTTP GET) passes its own expectations
 * on the healthy demo, and fails once the service it looks at is broken the way that step can see
 * (stopped for exec/ps/stats, erroring logs for log greps, unhealthy for HTTP checks).
 * Steps are rendered with the inventory demo:up writes (HTTP bases at the demo's ports) and run and
 * judged exactly as the run engine does (renderRunbook, runnerFromInventory, judge).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUp, SERVICES, type BreakMode, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import type { Endpoint } from '../../demo/services.js';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { loadRunbooks, type LoadedRunbook } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { type CompositeStepRunner, runnerFromInventory } from '#executors/index.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { CONFIG, RUNBOOKS } from './seeds-fixtures.js';

/** Diagnostic steps the demo cannot judge, and why. */
const NOT_IN_DEMO: Record<string, string> = {
  'minimarket/high-error-rate#slow-queries': 'needs the pg_stat_statements extension',
  'minimarket/high-latency#db-queries': 'needs the pg_stat_statements extension',
  'minimarket/high-error-rate#reach-postgres': 'the seed expects this check to fail ("Esto fallará pero verifica conectividad")',
  'minimarket/high-error-rate#dns': 'nslookup asks a DNS server; the demo names services in /etc/hosts, not in a compose network DNS',
  'blatam/system-down#kv-config': 'the demo api is a stand-in without the KV cache engine (bulk.core)',
  'minimarket/encrypted-data-inaccessible#verify': 'the demo dashboard has no DATABASE_ENCRYPTION_KEY',
};
/** Checks whose verdict depends on another service than the one they run in: that service, broken how. */
const FAILS_WHEN: Record<string, [service: string, mode: BreakMode]> = {
  'minimarket/high-error-rate#reach-deposito': ['minimarket/agente-deposito', 'unhealthy'],
  'minimarket/high-error-rate#reach-negocio': ['minimarket/agente-negocio', 'unhealthy'],
};
/** Log greps for words no demo fault writes: they must pass on the healthy demo only. */
const NO_FAULT_FOR: Record<string, string> = {
  'minimarket/dashboard-down#logs-bind': 'no demo fault logs bind/port errors',
  'minimarket/high-memory#leak-logs': 'no demo fault logs memory/leak lines',
};

interface Diagnostic { key: string; step: ResolvedStep; service: string; mode: BreakMode }

function demoAvailable(): boolean {
  if (!dockerAvailable()) return false;
  const missing = [...new Set(['web', 'redis', 'postgres', 'prometheus', 'alertmanager'].flatMap((k) => missingFor(k as never)))];
  if (missing.length === 0) return true;
  const msg = `the demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING seed runbooks against the demo: ${msg} ***\n`);
  return false;
}

/** Which demo service a step looks at, and the break mode that step can see. */
function faultFor(step: ResolvedStep, endpoints: Endpoint[], project: string): { service: string; mode: BreakMode } {
  const c = step.command;
  if (c.kind === 'http') {
    if (c.via !== undefined) throw new Error(`${step.id}: the demo's bases go straight to its ports, not via ${c.via}`);
    const u = new URL(c.url);
    const e = endpoints.find((x) => x.address === u.hostname && String(x.port) === (u.port || '80'));
    if (!e) throw new Error(`${step.id}: no demo service at ${u.host}`);
    return { service: `${e.project}/${e.service}`, mode: 'unhealthy' };
  }
  if (c.kind !== 'docker') throw new Error(`${step.id}: not a docker or http step`);
  const t = c.target;
  const e = t.container !== undefined
    ? endpoints.find((x) => x.container === t.container)
    : endpoints.find((x) => x.project === (t.composeProject ?? project) && x.service === (t.composeService ?? (c.action === 'logs' ? firstWeb(project) : 'redis')));
  if (!e) throw new Error(`${step.id}: no demo service for ${JSON.stringify(t)}`);
  return { service: `${e.project}/${e.service}`, mode: c.action === 'logs' ? 'errors' : 'stopped' };
}
const firstWeb = (project: string) => SERVICES.find((s) => s.project === project && s.image === 'web')!.service;
const errorLineOf = (service: string) => SERVICES.find((s) => `${s.project}/${s.service}` === service)!.errorLine;

describe.skipIf(!demoAvailable())('blatam and minimarket diagnostics against the demo', () => {
  let dir: string;
  let demo: Demo;
  let runner: CompositeStepRunner;
  const diagnostics: Diagnostic[] = [];
  const informational: Diagnostic[] = [];

  const runStep = async (step: ResolvedStep) => {
    const outcome = await runner.run(step.command, { timeoutMs: Math.min(step.timeoutMs, 20_000), signal: new AbortController().signal, onOutput: () => {} });
    return { verdict: judge(step, outcome), output: outcome.output, error: outcome.error };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-seed-demo-'));
    demo = await demoUp({ statePath: join(dir, 'state.json'), layout: 'isolated', privateEngine: true });
    const inv = await loadInventory(demo.state.inventoryPath!);
    expect(inv.errors).toEqual([]);
    const inventory = inv.inventory!;
    runner = runnerFromInventory(inventory);
    const config = loadFileConfig(CONFIG);
    for (const project of ['blatam', 'minimarket'] as const) {
      const { runbooks, errors } = await loadRunbooks(`${RUNBOOKS}/${project}`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
      expect(errors).toEqual([]);
      for (const rb of runbooks) collect(rb, project, inventory);
    }
  }, 600_000);
  afterAll(async () => {
    await runner?.close();
    await demo?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function collect(rb: LoadedRunbook, project: 'blatam' | 'minimarket', inventory: Inventory) {
    const given: Record<string, string> = {};
    for (const [name, p] of Object.entries(rb.params)) if (p.default === undefined && p.required) given[name] = sample(name);
    const { steps } = renderRunbook(rb, given, {}, inventory);
    for (const step of steps) {
      const c = step.command;
      const diagnostic = !step.danger && ((c.kind === 'docker' && ['exec', 'logs', 'stats', 'ps'].includes(c.action)) || (c.kind === 'http' && c.method === 'GET' && !c.prometheus));
      const key = `${rb.id}#${step.id}`;
      // Prometheus steps are judged on their metrics in prometheus-queries.test.ts.
      if (!diagnostic || key in NOT_IN_DEMO) continue;
      const d = { key, step, ...faultFor(step, demo.state.endpoints, project) };
      const judgesOutput = Object.keys(step.expect).some((k) => k !== 'exitCode');
      (c.kind === 'docker' && c.action === 'logs' && !judgesOutput ? informational : diagnostics).push(d);
    }
  }

  it('finds the diagnostic steps of both folders', () => {
    expect(diagnostics.length).toBeGreaterThan(40);
    expect(new Set(diagnostics.map((d) => d.key.split('/')[0]))).toEqual(new Set(['blatam', 'minimarket']));
    expect(new Set(diagnostics.map((d) => d.step.command.kind))).toEqual(new Set(['docker', 'http']));
  });

  it('every diagnostic step passes on the healthy demo', async () => {
    const failures: string[] = [];
    for (const d of [...diagnostics, ...informational]) {
      const r = await runStep(d.step);
      if (r.verdict.state !== 'succeeded') failures.push(`${d.key}: ${r.verdict.reason} ${r.error ?? ''} ${r.output.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('every diagnostic step fails once the service it looks at is broken', async () => {
    const groups = new Map<string, Diagnostic[]>();
    for (const d of diagnostics) if (!(d.key in NO_FAULT_FOR)) groups.set(`${d.service} ${d.mode}`, [...(groups.get(`${d.service} ${d.mode}`) ?? []), d]);
    const passedWhileBroken: string[] = [];
    for (const [group, ds] of groups) {
      const [service, mode] = group.split(' ') as [string, BreakMode];
      await demo.break(service, mode);
      try {
        for (const d of ds) if ((await runStep(d.step)).verdict.state === 'succeeded') passedWhileBroken.push(`${d.key} (${group})`);
      } finally {
        await demo.fix(service);
      }
    }
    expect(passedWhileBroken).toEqual([]);
  }, 900_000);

  it('checks of another service fail when that service is broken', async () => {
    for (const [key, [service, mode]] of Object.entries(FAILS_WHEN)) {
      const d = diagnostics.find((x) => x.key === key)!;
      expect(d, key).toBeDefined();
      await demo.break(service, mode);
      try {
        expect((await runStep(d.step)).verdict.state, key).toBe('failed');
      } finally {
        await demo.fix(service);
      }
      expect((await runStep(d.step)).verdict.state, `${key} after the fix`).toBe('succeeded');
    }
  }, 300_000);

  it('the restore check fails on an empty productos table', async () => {
    const d = diagnostics.find((x) => x.key === 'minimarket/restore#verify')!;
    const psql = async (sql: string) => {
      const x = await demo.docker.getContainer('inventario_retail_db').exec({ Cmd: ['psql', '-U', 'postgres', 'inventario_retail', '-v', 'ON_ERROR_STOP=1', '-c', sql], AttachStdout: true, AttachStderr: true });
      const stream = await x.start({});
      await new Promise((resolve) => { stream.on('end', resolve); stream.resume(); });
      expect((await x.inspect()).ExitCode, sql).toBe(0);
    };
    await psql('CREATE TABLE productos_kept AS SELECT * FROM productos; TRUNCATE productos;');
    try {
      expect((await runStep(d.step)).verdict.state).toBe('failed');
    } finally {
      await psql('INSERT INTO productos SELECT * FROM productos_kept; DROP TABLE productos_kept;');
    }
    expect((await runStep(d.step)).verdict.state).toBe('succeeded');
  }, 120_000);

  it('log steps without an expectation show the error lines once the service logs them', async () => {
    expect(informational.length).toBeGreaterThan(0);
    const byService = new Map<string, Diagnostic[]>();
    for (const d of informational) byService.set(d.service, [...(byService.get(d.service) ?? []), d]);
    for (const [service, ds] of byService) {
      await demo.break(service, 'errors');
      try {
        for (const d of ds) expect((await runStep(d.step)).output, d.key).toContain(errorLineOf(service));
      } finally {
        await demo.fix(service);
      }
    }
  }, 300_000);
});

/** A valid value for a required parameter without a default (none of them is used by a diagnostic step). */
function sample(name: string): string {
  const values: Record<string, string> = {
    encryption_key: 'ab'.repeat(32),
    timestamp: '20231016_120000',
    backup_file: './backups/inventario_retail_20231016_120000.sql',
    keep_days: '14',
    throughput_target: '50',
  };
  if (!values[name]) throw new Error(`no sample value for parameter ${name}`);
  return values[name];
}
