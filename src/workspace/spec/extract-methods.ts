// Derives the compact method table (slack-methods.json) from Slack's published OpenAPI spec.
// Usage: tsx src/workspace/spec/extract-methods.ts <path/to/web-api-openapi-v2.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ArgSpec = { required: boolean; type: string };
export type MethodTable = Record<string, Record<string, ArgSpec>>;

type SpecParam = { name: string; in: string; required?: boolean; type?: string };
type Spec = { paths: Record<string, Record<string, { parameters?: SpecParam[] }>> };

export function methodTableFromSpec(spec: Spec): MethodTable {
  const table: MethodTable = {};
  for (const [path, ops] of Object.entries(spec.paths)) {
    const method = path.replace(/^\//, '');
    const args: Record<string, ArgSpec> = {};
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) {
        if (p.name === 'token') continue; // auth is checked separately
        args[p.name] = { required: Boolean(p.required), type: p.type ?? 'string' };
      }
    }
    table[method] = args;
  }
  return table;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = process.argv[2];
  if (!src) throw new Error('usage: extract-methods.ts <web-api-openapi-v2.json>');
  const table = methodTableFromSpec(JSON.parse(readFileSync(src, 'utf8')));
  const out = new URL('./slack-methods.json', import.meta.url);
  const lines = Object.entries(table).map(([m, a]) => `${JSON.stringify(m)}: ${JSON.stringify(a)}`);
  writeFileSync(out, `{\n${lines.join(',\n')}\n}\n`);
  console.log(`wrote ${Object.keys(table).length} methods to ${fileURLToPath(out)}`);
}
