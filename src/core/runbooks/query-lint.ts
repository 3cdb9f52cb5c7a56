import { runbookQueries, type PsqlCall, type RawStep, type StepPlace } from './queries.js';
import type { Path } from './yaml-source.js';

/**
 * Lint of the SQL and Redis commands in steps (found by queries.ts): mistakes that current
 * PostgreSQL and Redis reject, or that let a failing command pass. The full check runs the
 * statements against the real servers (test/runbooks/sql.test.ts, redis.test.ts).
 */

type Report = (path: Path, message: string, keyOf?: string, needle?: string) => void;

const KEY_OF: Record<StepPlace, string> = { docker: 'exec', ssh: 'command', kubernetes: 'command', manual: 'command' };
const ON_ERROR_STOP = /^(ON_ERROR_STOP=(1|on|true)|--set=ON_ERROR_STOP=(1|on|true)|--variable=ON_ERROR_STOP=(1|on|true))$/i;

/** Columns a view does not have, with the right name: [view, its name, column, right column, since]. */
const RENAMED: [RegExp, string, string, string, string][] = [
  ...['total', 'mean', 'min', 'max', 'stddev'].map(
    (k): [RegExp, string, string, string, string] => [/\bpg_stat_statements\b/i, 'pg_stat_statements', `${k}_time`, `${k}_exec_time`, 'since PostgreSQL 13'],
  ),
  [/\bpg_stat(io)?_(user|all|sys)_tables\b/i, 'pg_stat_user_tables', 'tablename', 'relname', 'in any version'],
];

const sqlProblems = (call: PsqlCall): string[] => {
  const out: string[] = [];
  const stops = call.args.some((a) => ON_ERROR_STOP.test(a));
  if (call.stdin && !stops)
    out.push(`psql reads SQL ${'file' in call.stdin ? `from ${call.stdin.file}` : 'on stdin'} and exits 0 when it fails: add -v ON_ERROR_STOP=1`);
  if (call.files.length && !stops) out.push('psql -f exits 0 when the SQL fails: add -v ON_ERROR_STOP=1');
  const sql = call.sql.join('\n');
  for (const [view, name, old, now, since] of RENAMED)
    if (view.test(sql) && new RegExp(`\\b${old}\\b`).test(sql) && !(old === 'tablename' && /\bpg_(stats|tables)\b/.test(sql)))
      out.push(`${name} has no column ${old} (${since}): ${now}`);
  const set = /^\s*SET\s+(SESSION\s+|LOCAL\s+)?([A-Za-z_]+)\s*(=|\bTO\b)/im.exec(sql);
  if (set && /[A-Z]/.test(set[2]) && set[2] === set[2].toUpperCase())
    out.push(`SET ${set[2]}: not a PostgreSQL parameter; a value of one's own needs a dot (SET app.${set[2].toLowerCase()} = …, read with current_setting)`);
  return out;
};

/** Problems in the psql and redis-cli calls of a runbook's steps, reported at the step's command. */
export function checkQueries(steps: readonly RawStep[], report: Report): void {
  const found = runbookQueries(steps);
  const at = (step: number, place: StepPlace) => ['steps', step, place, KEY_OF[place]];
  for (const e of found.errors) report(at(e.step, e.place), `cannot split this command: ${e.message}`);
  for (const call of found.sql) for (const p of sqlProblems(call)) report(at(call.step, call.place), p, undefined, call.needle);
  for (const call of found.redis) {
    const cmd = call.command.map((w) => w.toUpperCase());
    if (cmd[0] === 'DEBUG' && cmd[1] === 'RELOAD')
      report(at(call.step, call.place), 'redis-cli DEBUG RELOAD: refused by Redis 7 (enable-debug-command), and it saves memory over dump.rdb first; to load a copied dump, SHUTDOWN NOSAVE and start Redis again', undefined, call.needle);
  }
}
