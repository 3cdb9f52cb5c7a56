import { readFile } from 'node:fs/promises';
import { sortErrors, YamlSource, type SourceError } from '../runbooks/yaml-source.js';
import { InventorySchema, type Inventory } from './schema.js';

export interface InventoryResult {
  inventory?: Inventory;
  errors: SourceError[];
  /** Loads, but should change: the old single-engine shape. */
  warnings?: SourceError[];
}

const OLD_SHAPE =
  'deprecated: top-level docker: is the old single-engine inventory (every runbook on one engine). It still loads; ' +
  'convert it to systems.<name>: { hosts, engines: { main: { socket: PATH } }, projects, containers } (docs/runbooks.md#inventory)';

/** Parses inventory YAML text; every problem comes back as `file:line:column`. */
export function parseInventory(file: string, text: string): InventoryResult {
  const { source, value, errors } = YamlSource.parse(file, text);
  if (errors.length) return { errors };
  const parsed = InventorySchema.safeParse(value ?? {});
  if (!parsed.success) return { errors: sortErrors(source.zodErrors(parsed.error)) };
  const old = value && typeof value === 'object' && 'docker' in value;
  return { inventory: parsed.data, errors: [], ...(old ? { warnings: [source.atPath([], OLD_SHAPE, 'docker')] } : {}) };
}

export async function loadInventory(path: string): Promise<InventoryResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { errors: [{ file: path, line: 1, column: 1, message: `cannot read inventory: ${(e as Error).message}` }] };
  }
  return parseInventory(path, text);
}
