import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { formatSourceError, type SourceError } from '#core/runbooks/yaml-source.js';
import { fixFiles, oldFormErrors } from './lint-fix.js';
import { lintSystems, runbookSystems } from './lint-systems.js';

export const summary = 'check runbooks: every error as file:line:column (exit 1 on any)';

const USAGE = `usage: opsroom lint [paths…] [--inventory FILE] [--config FILE] [--fix]

Checks runbook YAML files (default: runbooks/) in two passes, shape then meaning, and prints
every error as file:line:column message. The inventory (default: $OPSROOM_INVENTORY, else
inventory.yml, else inventory.example.yml) is checked too, and ssh hosts must exist in it.
Severities come from opsroom.yml (or --config). Old forms of the format are errors that name
the new form; --fix rewrites them in place, keeping comments and layout.

Systems: the folders of the runbooks directory (but examples/), opsroom.yml's systems: and the
inventory's systems: must name the same ones; each checked when it is there.`;

/** The inventory file lint uses: the one asked for, else the first that exists. */
function inventoryPath(flag: string | undefined): string | undefined {
  if (flag) return flag;
  const candidates = [process.env.OPSROOM_INVENTORY, 'inventory.yml', 'inventory.example.yml'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { inventory: { type: 'string' }, config: { type: 'string' }, fix: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const paths = parsed.positionals.length ? parsed.positionals : [process.env.OPSROOM_RUNBOOKS || 'runbooks'];
  const errors: SourceError[] = [];
  let config;
  const configPath = parsed.values.config ?? (process.env.OPSROOM_CONFIG || 'opsroom.yml');
  try {
    config = loadFileConfig(configPath);
  } catch (e) {
    process.stdout.write(`${(e as Error).message}\n`);
    return 1;
  }
  let inventory: Inventory | undefined;
  const invFile = inventoryPath(parsed.values.inventory);
  if (invFile) {
    const r = await loadInventory(invFile);
    errors.push(...r.errors);
    // Notes, not errors: the old single-engine inventory still loads.
    for (const w of r.warnings ?? []) process.stderr.write(`${formatSourceError(w)}\n`);
    inventory = r.inventory;
  }
  let count = 0;
  const opts = { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory };
  for (const path of paths) {
    let r = await loadRunbooks(path, opts);
    if (parsed.values.fix) {
      const done = fixFiles(r.runbooks, opts);
      for (const line of [...done.fixed, ...done.errors]) process.stderr.write(`${line}\n`);
      r = await loadRunbooks(path, opts);
    }
    count += r.runbooks.length;
    errors.push(...r.errors);
    for (const rb of r.runbooks) errors.push(...oldFormErrors(rb));
  }
  // A runbooks directory whose folders are systems (not one system's folder, not single files).
  const root = paths.length === 1 && existsSync(paths[0]) && statSync(paths[0]).isDirectory() && runbookSystems(paths[0]).length ? paths[0] : undefined;
  errors.push(...lintSystems({ runbooksDir: root, config: configPath, inventory: invFile }));
  for (const e of errors) process.stdout.write(formatSourceError(e) + '\n');
  const where = paths.join(', ');
  if (errors.length) {
    const files = new Set(errors.map((e) => e.file)).size;
    process.stderr.write(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${where})\n`);
    return 1;
  }
  const note = invFile ? '' : ', hosts not checked: no inventory';
  process.stdout.write(`${count} runbook${count === 1 ? '' : 's'} OK (${where}${note})\n`);
  return 0;
}
