import { inventoryJsonSchema, runbookJsonSchema } from '#core/runbooks/json-schema.js';

export const summary = 'print the JSON Schema of runbooks (or: schema inventory)';

/** `opsroom schema [runbook|inventory]`: prints the JSON Schema editors use to check YAML. */
export async function main(args: string[]): Promise<number> {
  const which = args[0] ?? 'runbook';
  const schema = which === 'runbook' ? runbookJsonSchema() : which === 'inventory' ? inventoryJsonSchema() : undefined;
  if (!schema) {
    process.stderr.write(`usage: opsroom schema [runbook|inventory]\n`);
    return 2;
  }
  process.stdout.write(JSON.stringify(schema, null, 2) + '\n');
  return 0;
}
