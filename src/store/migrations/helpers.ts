/** Small helpers so one migration serves both engines. */
import type { ColumnDataType, CreateTableBuilder } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Adds an auto-incrementing primary key `id` (AUTOINCREMENT on SQLite, identity on PostgreSQL). */
export function withId<T extends string>(dialect: Dialect) {
  return (t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> =>
    dialect === 'sqlite'
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

/** Column type for epoch-millisecond times and ids referenced by foreign keys. */
export const MS: ColumnDataType = 'bigint';
/** Column type for JSON stored as text. */
export const JSON_TEXT: ColumnDataType = 'text';
