/**
 * Runs a runbook's psql call (src/core/runbooks/queries.ts) with the real psql against a test
 * PostgreSQL: read statements run as written, INSERT/UPDATE/DELETE/MERGE are EXPLAINed, other writes
 * (DDL, VACUUM, REINDEX, CREATE/DROP DATABASE) run in databases the caller throws away afterwards.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PsqlCall } from '#core/runbooks/queries.js';

const READ = /^(select|show|explain|with|values|table|set|reset)\b/i;
const DML = /^(insert|update|delete|merge)\b/i;

/** SQL split on `;` outside quotes, dollar quotes and comments; psql meta-commands (`\x`) dropped. */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    const rest = sql.slice(i);
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest)?.[0];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end;
      cur += sql.slice(i, stop + 1);
      i = stop;
    } else if (dollar) {
      const end = sql.indexOf(dollar, i + dollar.length);
      const stop = end < 0 ? sql.length : end + dollar.length;
      cur += sql.slice(i, stop);
      i = stop - 1;
    } else if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end - 1;
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '\\' && /(^|\n)\s*$/.test(cur)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end - 1;
    } else if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Whether every statement only reads (so it may run on the shared fixture databases). */
export const onlyReads = (sql: string): boolean =>
  splitStatements(sql).every((s) => READ.test(s) && !/^explain\s+analy[sz]e\s+(insert|update|delete|merge)\b/i.test(s));

/** The SQL with each INSERT/UPDATE/DELETE/MERGE statement prefixed by EXPLAIN. */
const explainWrites = (sql: string): string =>
  splitStatements(sql)
    .map((s) => (DML.test(s) ? `EXPLAIN ${s}` : s))
    .map((s) => `${s};\n`)
    .join('');

export interface PsqlResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** psql's command line as run, for messages. */
  command: string;
}

/**
 * Runs the call's psql arguments (connection options replaced by the test server's), its stdin
 * text with `env` expanded when it came from an unquoted here-document, ON_ERROR_STOP on so that
 * any failing statement fails the run.
 */
export function runPsql(call: PsqlCall, opts: { bin: string; port: number; stdin?: string }): PsqlResult {
  const args = [...call.args];
  for (let i = 0; i < args.length - 1; i++)
    if (args[i] === '-c' || args[i] === '--command') args[i + 1] = explainWrites(args[i + 1]);
  const stdin = opts.stdin === undefined ? undefined : explainWrites(opts.stdin);
  const argv = ['-X', '-h', '127.0.0.1', '-p', String(opts.port), '-U', 'postgres', '-d', call.database ?? 'postgres', '-v', 'ON_ERROR_STOP=1', ...args];
  const r = spawnSync(join(opts.bin, 'psql'), argv, { input: stdin ?? '', encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '', command: `psql ${argv.join(' ')}` };
}

/** A here-document's `$NAME` and `${NAME}` replaced from `env` (unknown names become empty, as in sh). */
export const expandVariables = (text: string, env: Record<string, string>): string =>
  text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) => env[a ?? b] ?? '');

/** The problem with a result, or undefined when psql exited 0 with no ERROR. */
export function psqlProblem(r: PsqlResult): string | undefined {
  if (r.status === 0 && !/^(psql:.*)?ERROR:/m.test(r.stderr)) return undefined;
  return `psql exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`;
}
