import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { crossCheckSystems, type NamedAt } from '#core/systems/cross-check.js';
import type { SourceError } from '#core/runbooks/yaml-source.js';

/** Runbook folders that are not systems: `examples/` holds the documentation's examples. */
export const NOT_SYSTEMS = new Set(['examples']);

/** The keys of a top-level `systems:` map in a YAML file, where each is written; undefined without one. */
export function yamlSystems(file: string): NamedAt[] | undefined {
  if (!existsSync(file)) return undefined;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  if (doc.errors.length) return undefined; // its own check reports it
  const map = doc.get('systems', true);
  if (!isMap(map)) return undefined;
  return map.items.flatMap((pair) => {
    if (!isScalar(pair.key)) return [];
    const pos = pair.key.range ? lines.linePos(pair.key.range[0]) : { line: 1, col: 1 };
    return [{ name: String(pair.key.value), file, line: pos.line, column: pos.col }];
  });
}

/** The system folders of a runbooks directory, each at its first runbook file. */
export function runbookSystems(dir: string): NamedAt[] {
  const out: NamedAt[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.') || NOT_SYSTEMS.has(d.name)) continue;
    const first = readdirSync(join(dir, d.name)).filter((f) => /\.ya?ml$/.test(f)).sort()[0];
    if (first) out.push({ name: d.name, file: join(dir, d.name, first), line: 1, column: 1 });
  }
  return out;
}

/**
 * Systems named in one place and missing in another: runbook folders of `runbooksDir`, opsroom.yml
 * `systems:` and the inventory's `systems:` (each only when it is there).
 */
export function lintSystems(o: { runbooksDir?: string; config?: string; inventory?: string }): SourceError[] {
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const dir = o.runbooksDir;
  const systems = (names: NamedAt[] | undefined) => names?.filter((n) => !NOT_SYSTEMS.has(n.name));
  return crossCheckSystems([
    { label: 'runbook folder', missing: (n) => `has no runbook folder ${rel(join(dir ?? 'runbooks', n))}/`, names: dir ? runbookSystems(dir) : undefined },
    { label: 'opsroom.yml systems:', missing: () => `is not in ${rel(o.config ?? 'opsroom.yml')} systems:`, names: systems(o.config ? yamlSystems(o.config) : undefined) },
    { label: "the inventory's systems:", missing: () => `is not in the inventory's systems: (${rel(o.inventory ?? 'inventory.yml')})`, names: systems(o.inventory ? yamlSystems(o.inventory) : undefined) },
  ]).map((e) => ({ ...e, file: rel(e.file) }));
}
