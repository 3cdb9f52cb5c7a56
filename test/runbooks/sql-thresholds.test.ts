/**
 * The SQL checks that state a seed's threshold fail when it is crossed, on a real PostgreSQL 15
 * small enough to cross it: bff/slow-database#connections (80 % of max_connections, seed 004:55).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, startPostgres, type PostgresServer } from '../support/peers/postgres.js';
import { psqlProblem, runPsql } from '../support/sql-check.js';
import { expectationProblem, shippedQueries } from './shipped-queries.js';

const bin = postgresBinaries();
const connections = shippedQueries().sql.find((q) => `${q.runbook}#${q.stepId}` === 'bff/slow-database#connections')!;

describe.skipIf(!bin)('SQL thresholds on PostgreSQL 15', () => {
  let server: PostgresServer;
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    server = await startPostgres({ settings: { max_connections: '10', superuser_reserved_connections: '1' } });
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bff_production');
    await admin.end();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await server?.stop();
  });

  const check = () => {
    const r = runPsql(connections, { bin: bin!, port: server.port });
    expect(psqlProblem(r)).toBeUndefined();
    return { output: r.stdout, problem: expectationProblem(connections, r.stdout) };
  };

  it('bff/slow-database#connections passes under 80 % of max_connections and fails above it', async () => {
    expect(connections.raw).toMatchObject({ read_only: true, expect: { output_contains: '(0 rows)' } });
    const healthy = check();
    expect(healthy.problem, healthy.output).toBeUndefined();
    // 7 held plus psql's own: 8 client connections of 10, exactly 80 %: still healthy.
    for (let i = 0; i < 7; i++) {
      const c = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, '/bff_production') });
      await c.connect();
      clients.push(c);
    }
    const atLimit = check();
    expect(atLimit.problem, atLimit.output).toBeUndefined();
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    clients.push(c);
    const crossed = check();
    expect(crossed.problem).toMatch(/lacks \(0 rows\)/);
    expect(crossed.output).toMatch(/^\s*9\s*\|\s*10\s*$/m);
  });
});
