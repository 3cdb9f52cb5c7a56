/**
 * Every SQL statement of the shipped runbooks, run by the real psql against a real PostgreSQL 15
 * with pg_stat_statements preloaded, in databases holding the tables the runbooks name
 * (test/fixtures/sql). Reads run as written; INSERT/UPDATE/DELETE are EXPLAINed; other writes run
 * in databases rebuilt afterwards. A failing statement names its runbook file:line.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parseShell } from '#core/runbooks/shell-words.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, startPostgres, type PostgresServer } from '../support/peers/postgres.js';
import { expandVariables, onlyReads, psqlProblem, runPsql } from '../support/sql-check.js';
import { ROOT } from './seeds-fixtures.js';
import { expectationProblem, queriesOf, shippedQueries, stepsNaming, type ShippedQueries } from './shipped-queries.js';

const bin = postgresBinaries();
const FIXTURES = `${ROOT}test/fixtures/sql/`;
const DATABASES = ['inventario_retail', 'ai_multimodel', 'bff_production'];
/** The host environment of steps whose here-documents expand variables (the fixture's key). */
const SAMPLE_ENV = { DATABASE_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' };
const ON_ERROR_STOP = /^(ON_ERROR_STOP=(1|on|true)|--set=ON_ERROR_STOP=(1|on|true)|--variable=ON_ERROR_STOP=(1|on|true))$/i;

const shipped = shippedQueries();
let server: PostgresServer;

async function admin<T>(db: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(server.url);
  url.pathname = `/${db}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

const fixture = (name: string) => readFileSync(`${FIXTURES}${name}.sql`, 'utf8');

/** The runbooks' databases (or the ones named), fresh from their templates. */
async function resetDatabases(names: readonly string[] = DATABASES) {
  await admin('postgres', async (c) => {
    for (const db of names) {
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${db} TEMPLATE tpl_${db}`);
    }
  });
}

type Call = ShippedQueries['sql'][number];

/** What is wrong with a call, run against the test server; undefined when it ran cleanly. */
async function problemOf(call: Call): Promise<string | undefined> {
  const reads = 'text' in (call.stdin ?? {}) || call.stdin === undefined;
  if (call.stdin && 'file' in call.stdin) {
    if (!call.args.some((a) => ON_ERROR_STOP.test(a)))
      return `${call.at} step ${call.stepId}: psql reads ${call.stdin.file} without -v ON_ERROR_STOP=1, so it exits 0 when the SQL fails`;
    return undefined; // the file is the team's backup; nothing here to run
  }
  if (call.files.length) return `${call.at} step ${call.stepId}: reads ${call.files.join(', ')}, which is not shipped`;
  const stdin = call.stdin && 'text' in call.stdin ? call.stdin : undefined;
  if (stdin && !call.args.some((a) => ON_ERROR_STOP.test(a)))
    return `${call.at} step ${call.stepId}: psql reads SQL on stdin without -v ON_ERROR_STOP=1, so it exits 0 when the SQL fails`;
  const writes = !call.sql.every(onlyReads);
  for (const m of call.sql.join('\n').matchAll(/\bCREATE\s+DATABASE\s+(\w+)/gi))
    await admin('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${m[1]} WITH (FORCE)`));
  // Healthy: no statement is slow, not even this test's own CREATE DATABASE.
  if (/pg_stat_statements/.test(call.sql.join('\n'))) await admin('postgres', (c) => c.query('SELECT pg_stat_statements_reset()'));
  const text = stdin ? (stdin.expands ? expandVariables(stdin.text, SAMPLE_ENV) : stdin.text) : undefined;
  const r = runPsql(call, { bin: bin!, port: server.port, stdin: reads ? text : undefined });
  if (writes) {
    const named = [...call.sql.join('\n').matchAll(/\bDATABASE\s+(\w+)/gi)].map((m) => m[1]);
    await resetDatabases(DATABASES.filter((d) => d === call.database || named.includes(d)));
  }
  const problem = psqlProblem(r);
  if (problem) return `${call.at} step ${call.stepId}: ${problem}`;
  return expectationOf(call, r.stdout);
}

/** A read-only step's `expect` must hold on the healthy fixture when its command is this psql call. */
function expectationOf(call: Call, stdout: string): string | undefined {
  const ssh = (call.raw as { ssh?: { command?: string } }).ssh?.command;
  const alone = ssh !== undefined && parseShell(ssh).length === 1 && parseShell(ssh)[0].length === 1;
  return call.place === 'docker' || call.place === 'kubernetes' || alone ? expectationProblem(call, stdout) : undefined;
}

describe('SQL of the shipped runbooks: found', () => {
  it('every command splits, and every step that names psql yields its SQL', () => {
    expect(shipped.errors).toEqual([]);
    const found = new Set(shipped.sql.map((q) => `${q.runbook}#${q.stepId}`));
    expect(stepsNaming('psql').filter((s) => !found.has(s))).toEqual([]);
    const teams = new Set(shipped.sql.map((q) => q.runbook.split('/')[0]));
    expect([...teams].sort()).toEqual(['ai-multimodel', 'bff', 'blatam', 'minimarket']);
  });
});

describe.skipIf(!bin)('SQL of the shipped runbooks on PostgreSQL 15 with pg_stat_statements', () => {
  beforeAll(async () => {
    server = await startPostgres({ preload: ['pg_stat_statements'] });
    await admin('postgres', async (c) => {
      await c.query(fixture('common'));
      await c.query(fixture('postgres'));
      for (const db of DATABASES) await c.query(`CREATE DATABASE tpl_${db}`);
    });
    for (const db of DATABASES)
      await admin(`tpl_${db}`, async (c) => {
        await c.query(fixture('common'));
        await c.query(fixture(db));
      });
    await resetDatabases();
    // Statements for pg_stat_statements to report.
    await admin('inventario_retail', (c) => c.query(`SELECT count(*) FROM productos WHERE sku = 'ABC123'`));
  }, 120_000);
  afterAll(() => server?.stop());

  it('runs PostgreSQL 15 with pg_stat_statements loaded', async () => {
    const row = await admin('ai_multimodel', async (c) => (await c.query('SELECT current_setting($1) AS v, count(*) AS n FROM pg_stat_statements', ['server_version_num'])).rows[0]);
    expect(Math.floor(Number(row.v) / 10000)).toBe(15);
  });

  for (const call of shipped.sql)
    it(`${call.at} ${call.stepId}`, async () => {
      expect(await problemOf(call)).toBeUndefined();
    }, 60_000);

  it('the locks steps name the session that blocks another, and only it', async () => {
    const holder = new pg.Client({ connectionString: `${server.url.replace(/\/postgres$/, '')}/ai_multimodel` });
    const waiter = new pg.Client({ connectionString: `${server.url.replace(/\/postgres$/, '')}/ai_multimodel` });
    await holder.connect();
    await waiter.connect();
    try {
      const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const waiterPid = (await waiter.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const blocked = waiter.query('SELECT count(*) FROM users');
      await expect.poll(async () => (await admin('postgres', (c) => c.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))).rowCount, { timeout: 10_000 }).toBe(1);
      for (const id of ['ai-multimodel/postgres-maintenance#locks', 'ai-multimodel/database-performance#locks']) {
        const call = shipped.sql.find((q) => `${q.runbook}#${q.stepId}` === id)!;
        const r = runPsql(call, { bin: bin!, port: server.port });
        expect(psqlProblem(r), id).toBeUndefined();
        const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s*\|/.test(l));
        expect(rows, `${id}:\n${r.stdout}`).toHaveLength(1);
        expect(rows[0]).toMatch(new RegExp(`^\\s*${waiterPid}\\s*\\|.*\\b${holderPid}\\b`));
      }
      await holder.query('COMMIT');
      await blocked;
    } finally {
      await holder.end();
      await waiter.end();
    }
  });

  it('the slow-query checks fail once a statement averages over the seed\u2019s 1000 ms', async () => {
    await admin('postgres', (c) => c.query('SELECT pg_stat_statements_reset()'));
    await admin('ai_multimodel', (c) => c.query('SELECT pg_sleep(1.1), count(*) FROM ai_queries'));
    for (const id of ['ai-multimodel/postgres-maintenance#slow-queries', 'ai-multimodel/database-performance#statements']) {
      const call = shipped.sql.find((q) => `${q.runbook}#${q.stepId}` === id)!;
      const r = runPsql(call, { bin: bin!, port: server.port });
      expect(psqlProblem(r), id).toBeUndefined();
      expect(r.stdout, id).toMatch(/pg_sleep/);
      expect(expectationOf(call, r.stdout), id).toMatch(/lacks \(0 rows\)/);
    }
  });

  it('a statement PostgreSQL 15 refuses fails the check, naming its file:line', async () => {
    const text = [
      'title: Roto',
      'steps:',
      '  - id: slow',
      '    title: Lentas',
      '    read_only: true',
      '    kubernetes: { exec: deployment/postgresql, command: [psql, -U, postgres, ai_multimodel, -c, "SELECT query, mean_time FROM pg_stat_statements;"] }',
    ].join('\n');
    const [call] = queriesOf('runbooks/x/broken.yml', text, 'x/broken').sql;
    expect(await problemOf(call)).toMatch(/^runbooks\/x\/broken\.yml:6 step slow: psql exited 1: .*column "mean_time" does not exist/s);
  });

  it('psql reading SQL on stdin without ON_ERROR_STOP fails the check, even when its SQL is right', async () => {
    const text = ['title: T', 'steps:', '  - id: s', '    title: S', '    ssh:', '      command: |-', '        psql ai_multimodel << EOF', '        SELECT 1;', '        EOF'].join('\n');
    const [call] = queriesOf('runbooks/x/stdin.yml', text, 'x/stdin').sql;
    expect(await problemOf(call)).toMatch(/^runbooks\/x\/stdin\.yml:8 step s: .*ON_ERROR_STOP/);
  });

  it('the seeds\u2019 own forms fail on PostgreSQL 15 (what the runbooks changed)', async () => {
    const seedForms: [string, string, RegExp][] = [
      ['ai_multimodel', 'SELECT query, calls, total_time, mean_time FROM pg_stat_statements WHERE mean_time > 1000', /column "(total|mean)_time" does not exist/],
      ['bff_production', 'SELECT schemaname, tablename, n_tup_ins FROM pg_stat_user_tables', /column "tablename" does not exist/],
      ['inventario_retail', "SET DATABASE_ENCRYPTION_KEY = 'x'", /unrecognized configuration parameter/],
    ];
    for (const [db, sql, error] of seedForms)
      await expect(admin(db, (c) => c.query(sql)), sql).rejects.toThrow(error);
  });
});
