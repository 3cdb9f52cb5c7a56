import { z } from 'zod';
import { InventorySchema } from '../inventory/schema.js';
import { RunbookSchema } from './schema.js';

/** JSON Schema (draft-07, what editors' YAML support reads best) of what a person writes. */
export const runbookJsonSchema = () =>
  ({ ...z.toJSONSchema(RunbookSchema, { io: 'input', target: 'draft-7' }), title: 'opsroom runbook' }) as Record<string, unknown>;

export const inventoryJsonSchema = () =>
  ({ ...z.toJSONSchema(InventorySchema, { io: 'input', target: 'draft-7' }), title: 'opsroom inventory' }) as Record<string, unknown>;
