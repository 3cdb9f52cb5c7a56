import { parseArgs } from 'node:util';
import { ConfigError, parseEnv } from '#config/env.js';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { buildReport } from '#core/report/build.js';
import { reportMarkdown } from '#core/report/render.js';
import { parseSince } from '#ops/audit.js';
import { openDatabase, redact } from '#store/index.js';
import { reportInputs } from '#store/report.js';

const DEFAULT_SINCE = '30d';

export const summary = 'incident counts, MTTA / time to mitigate / MTTR percentiles and runbook use over a window';

const USAGE = `usage: opsroom report [--since <when>] [--until <when>] [--format md|json] [--database URL]

Counts the incidents opened in the window by severity and system, with the median and 90th
percentile of time to acknowledge (MTTA), time to mitigate (a verified recovery) and time to
resolve (MTTR), and the runbooks run most with their success rate (succeeded / finished runs).
<when> is an ISO date or time (2026-11-01, 2026-11-01T08:00:00Z) or an age (30m, 24h, 7d).
Without --since, the last ${DEFAULT_SINCE}. JSON times are milliseconds.
The database is DATABASE_URL (or --database); nothing is written to it.`;

export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string', default: 'md' },
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
  const bad = (msg: string) => (process.stderr.write(`opsroom report: ${msg}\n\n${USAGE}\n`), 2);
  const now = new Date();
  const since = parseSince(values.since ?? DEFAULT_SINCE, now);
  if (!since) return bad(`--since "${values.since}" is not a date (2026-11-01T08:00:00Z) or an age (24h, 30d)`);
  const until = values.until ? parseSince(values.until, now) : now;
  if (!until) return bad(`--until "${values.until}" is not a date or an age`);
  if (until.getTime() <= since.getTime()) return bad('--until must be after --since');
  if (values.format !== 'md' && values.format !== 'json') return bad(`--format must be md or json (got "${values.format}")`);

  let url: string;
  let severities: string[];
  try {
    const env = parseEnv(process.env);
    url = values.database ?? env.DATABASE_URL;
    severities = severitiesOf(loadFileConfig(env.OPSROOM_CONFIG)).map((s) => s.id);
  } catch (e) {
    if (e instanceof ConfigError) return bad(e.message);
    throw e;
  }
  let database;
  try {
    database = await openDatabase(url, { migrate: false, poolSize: 2 });
  } catch (e) {
    process.stderr.write(`opsroom report: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const report = buildReport({ since, until, severities, ...(await reportInputs(database, since, until)) });
    const text = values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report);
    await new Promise<void>((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve)));
    return 0;
  } catch (e) {
    process.stderr.write(`opsroom report: cannot read incidents from ${redact(url)}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}
