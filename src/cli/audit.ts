import { parseArgs } from 'node:util';
import { ConfigError, parseEnv } from '#config/env.js';
import { auditRecords, parseSince } from '#ops/audit.js';
import { openDatabase, redact } from '#store/index.js';

/** The window `opsroom audit` covers when --since is not given: one week of shifts. */
const DEFAULT_SINCE = '7d';

export const summary = 'export the audit log (actions, approvals, denials) as JSON lines';

const USAGE = `usage: opsroom audit [--since <when>] [--until <when>] [--format jsonl|json] [--database URL]

Prints every action, approval and denial — incident changes, runbook runs, step executions,
approval requests and decisions — with actor, time, target and result, oldest first.
<when> is an ISO date or time (2026-11-01, 2026-11-01T08:00:00Z) or an age (30m, 24h, 7d).
Without --since, the last ${DEFAULT_SINCE}.
The database is DATABASE_URL (or --database); nothing is written to it.`;

export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string', default: 'jsonl' },
        database: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const bad = (msg: string) => (process.stderr.write(`opsroom audit: ${msg}\n\n${USAGE}\n`), 2);
  const since = parseSince(values.since ?? DEFAULT_SINCE);
  if (!since) return bad(`--since "${values.since}" is not a date (2026-11-01T08:00:00Z) or an age (24h, 7d)`);
  const until = values.until ? parseSince(values.until) : undefined;
  if (values.until && !until) return bad(`--until "${values.until}" is not a date or an age`);
  if (values.format !== 'jsonl' && values.format !== 'json') return bad(`--format must be jsonl or json (got "${values.format}")`);

  let url: string;
  try {
    url = values.database ?? parseEnv(process.env).DATABASE_URL;
  } catch (e) {
    if (e instanceof ConfigError) return bad(e.message);
    throw e;
  }
  let database;
  try {
    database = await openDatabase(url, { migrate: false, poolSize: 2 });
  } catch (e) {
    process.stderr.write(`opsroom audit: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const records = await auditRecords(database, since, until);
    const text = values.format === 'json'
      ? `${JSON.stringify(records, null, 2)}\n`
      : records.map((r) => `${JSON.stringify(r)}\n`).join('');
    await new Promise<void>((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve)));
    return 0;
  } catch (e) {
    process.stderr.write(`opsroom audit: cannot read the audit log from ${redact(url)}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}
