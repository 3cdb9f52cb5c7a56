/**
 * Migrations, applied in name order at start (Kysely's Migrator with a static list, so it works
 * under tsx and bundlers). To add one: create `NNN_name.ts` exporting `up(db, dialect)` (see
 * 001_incidents.ts and helpers.ts) and add ONE line to MIGRATIONS below.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.js';

interface StoreMigration {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
  down?(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

const MIGRATIONS: Record<string, () => Promise<StoreMigration>> = {
  '001_incidents': () => import('./001_incidents.js'),
  '002_runs': () => import('./002_runs.js'),
  '003_run_liveness': () => import('./003_run_liveness.js'),
  '004_pager': () => import('./004_pager.js'),
  '005_remediation': () => import('./005_remediation.js'),
  '006_handoffs': () => import('./006_handoffs.js'),
  '007_run_secrets': () => import('./007_run_secrets.js'),
  '008_deliveries': () => import('./008_deliveries.js'),
  '009_stop_requests': () => import('./009_stop_requests.js'),
  '010_incident_system': () => import('./010_incident_system.js'),
  '011_follow_ups': () => import('./011_follow_ups.js'),
  '012_alerts': () => import('./012_alerts.js'),
  '013_routines': () => import('./013_routines.js'),
  '014_recovery': () => import('./014_recovery.js'),
  '015_runbook_health': () => import('./015_runbook_health.js'),
  '018_step_skips': () => import('./018_step_skips.js'),
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, load] of Object.entries(MIGRATIONS)) {
      const m = await load();
      out[name] = {
        up: (db) => m.up(db, this.dialect),
        down: m.down ? (db) => m.down!(db, this.dialect) : undefined,
      };
    }
    return out;
  }
}

/** What migrating needs of an open database (db.ts's `Database`). */
type Migratable = { db: Kysely<any>; dialect: Dialect };

const migrator = (database: Migratable) =>
  new Migrator({ db: database.db, provider: new StaticProvider(database.dialect) });

/** Applies every pending migration (safe to run from several replicas at once on PostgreSQL). */
export async function migrate(database: Migratable): Promise<string[]> {
  const { error, results } = await migrator(database).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration ${failed ?? ''} failed: ${message}`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}

/** Names of migrations not yet applied (for readiness checks). */
export async function pendingMigrations(database: Migratable): Promise<string[]> {
  const all = await migrator(database).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
