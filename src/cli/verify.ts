/**
 * `opsroom verify`: checks that every runbook still fits the live inventory, changing nothing
 * (src/core/verify). Each problem prints with the step's file:line. With a database (--database
 * or DATABASE_URL) the results are recorded as each runbook's freshness, as the scheduled verify
 * does; --no-record leaves it alone. Exit 0 when all fit, 1 when something does not, 2 for bad usage.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import { EMPTY_INVENTORY, type Inventory } from '#core/inventory/schema.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { type VerifyReport, verifyRunbooks } from '#core/verify/check.js';
import { recordVerdicts, verdictsOf } from '#core/verify/freshness.js';
import { runnerFromInventory } from '#executors/index.js';
import { openDatabase, redact } from '#store/index.js';
import { KyselyHealthStore } from '#store/runbook-health.js';

export const summary = 'check every runbook against the live inventory (targets exist, hosts answer, programs are there, diagnostics run); changes nothing';

const USAGE = 'usage: opsroom verify [--system NAME] [--format text|json] [--runbooks DIR] [--inventory FILE] [--config FILE] [--database URL] [--no-record]';

async function loadInventoryAt(path: string): Promise<Inventory | string> {
  if (!existsSync(path)) return EMPTY_INVENTORY;
  const r = await loadInventory(path);
  return r.inventory ?? r.errors.map(formatSourceError).join('\n');
}

/** Records the report's verdicts in the database; a message when that fails. */
async function record(url: string, report: VerifyReport): Promise<string | null> {
  let database;
  try {
    database = await openDatabase(url, { poolSize: 2 });
    await recordVerdicts(new KyselyHealthStore(database), verdictsOf(report), new Date());
    return null;
  } catch (e) {
    return `cannot record the results in ${redact(url)}: ${(e as Error).message}`;
  } finally {
    await database?.close();
  }
}

export async function main(args: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({ args, options: {
      system: { type: 'string' }, format: { type: 'string', default: 'text' }, runbooks: { type: 'string' }, inventory: { type: 'string' },
      config: { type: 'string' }, database: { type: 'string' }, 'no-record': { type: 'boolean', default: false },
    } }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (o.format !== 'text' && o.format !== 'json') {
    process.stderr.write(`--format must be text or json (got "${o.format}")\n${USAGE}\n`);
    return 2;
  }
  const file = loadFileConfig(o.config ?? process.env.OPSROOM_CONFIG ?? 'opsroom.yml');
  const inventory = await loadInventoryAt(o.inventory ?? process.env.OPSROOM_INVENTORY ?? 'inventory.yml');
  if (typeof inventory === 'string') {
    process.stderr.write(`${inventory}\n`);
    return 1;
  }
  const loaded = await loadRunbooks(o.runbooks ?? process.env.OPSROOM_RUNBOOKS ?? 'runbooks', { severities: severitiesOf(file), severityAliases: file.severityAliases, inventory });
  const chosen = loaded.runbooks.filter((r) => !o.system || r.id.split('/')[0] === o.system);
  const runner = runnerFromInventory(inventory);
  const secrets = inventory.secrets.map((n) => process.env[n]).filter((v): v is string => !!v);
  const report = await verifyRunbooks(chosen, inventory, runner, { secrets }).finally(() => runner.close());
  const problems = [...loaded.errors.map((e) => ({ runbook: '', step: null, file: e.file, line: e.line, message: e.message })), ...report.problems];
  const url = o.database ?? process.env.DATABASE_URL;
  const unrecorded = url && !o['no-record'] ? await record(url, report) : null;
  if (unrecorded) process.stderr.write(`opsroom verify: ${unrecorded}\n`);
  if (o.format === 'json') {
    process.stdout.write(`${JSON.stringify({ ok: problems.length === 0, runbooks: report.checked.length, skipped: report.skipped, problems }, null, 2)}\n`);
  } else {
    for (const p of problems) process.stdout.write(`${p.file}:${p.line} ${p.runbook}${p.step ? ` step ${p.step}` : ''}: ${p.message}\n`);
    for (const s of report.skipped) process.stdout.write(`${s.runbook}: not checked, ${s.reason}\n`);
    if (!problems.length) process.stdout.write(`${report.checked.length} runbooks fit\n`);
  }
  return problems.length ? 1 : unrecorded ? 1 : 0;
}
