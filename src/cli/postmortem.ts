/**
 * `opsroom postmortem INC-7`: prints the incident's postmortem draft (the file Slack gets) as
 * Markdown or JSON, from the stored state. Nothing is written.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, parseEnv } from '#config/env.js';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { isCoded } from '#core/errors.js';
import { parseIncidentKey } from '#core/incidents/incident.js';
import { loadInventory } from '#core/inventory/loader.js';
import { systemClock, type Clock } from '#core/ports.js';
import { LANGUAGES, type Language } from '#core/postmortem/i18n.js';
import { PostmortemService } from '#core/postmortem/service.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { credentialValues, knownSecrets } from '#core/runs/known-secrets.js';
import { openDatabase, redact } from '#store/db.js';
import { KyselyFollowUpStore } from '#store/follow-ups.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyRunStore } from '#store/runs.js';
import { peopleNames } from './names.js';

export const summary = 'print an incident\'s postmortem draft (INC-7 --format md|json)';

const USAGE = `usage: opsroom postmortem INC-7 [--format md|json] [--lang en|es] [--database URL] [--config FILE]

Prints the postmortem draft of an incident: summary, impact, key times, the timeline with every
runbook step (command, target, who ran it, who approved it, exit code, the end of its output),
who took part, follow-ups, and the headings the team fills in. The language follows the system's
runbooks (OPSROOM_RUNBOOKS) unless --lang says. The database is DATABASE_URL (or --database);
nothing is written to it.`;

export interface PostmortemIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
}

export function main(args: string[]): Promise<number> {
  return runPostmortem(args, { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t), env: process.env });
}

export async function runPostmortem(args: string[], io: PostmortemIo): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args, allowPositionals: true,
      options: {
        format: { type: 'string', default: 'md' }, lang: { type: 'string' }, database: { type: 'string' }, config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`opsroom postmortem: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (o.values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const bad = (msg: string) => (io.err(`opsroom postmortem: ${msg}\n\n${USAGE}\n`), 2);
  if (o.positionals.length !== 1) return bad(o.positionals.length ? `one incident, not ${o.positionals.length}` : 'which incident? e.g. INC-7');
  const id = parseIncidentKey(o.positionals[0]);
  if (id === undefined) return bad(`"${o.positionals[0]}" is not an incident like INC-7`);
  const format = o.values.format;
  if (format !== 'md' && format !== 'json') return bad(`--format must be md or json (got "${format}")`);
  const lang = o.values.lang;
  if (lang !== undefined && !(LANGUAGES as readonly string[]).includes(lang)) return bad(`--lang must be ${LANGUAGES.join(' or ')} (got "${lang}")`);

  let env;
  let file;
  try {
    env = parseEnv({ ...io.env, ...(o.values.database ? { DATABASE_URL: o.values.database } : {}) });
    file = loadFileConfig(o.values.config ?? env.OPSROOM_CONFIG);
  } catch (e) {
    if (e instanceof ConfigError) return bad(e.message);
    throw e;
  }
  // Stored text is redacted already; the configured secrets are hidden once more on the way out.
  knownSecrets.add(credentialValues(io.env));
  if (existsSync(env.OPSROOM_INVENTORY)) {
    const inv = await loadInventory(env.OPSROOM_INVENTORY);
    knownSecrets.add((inv.inventory?.secrets ?? []).map((n) => io.env[n]));
  }
  const catalog = existsSync(env.OPSROOM_RUNBOOKS) ? (await loadRunbooks(env.OPSROOM_RUNBOOKS, { severities: severitiesOf(file), severityAliases: file.severityAliases })).runbooks : [];
  let database;
  try {
    database = await openDatabase(env.DATABASE_URL, { migrate: false, poolSize: 2 });
  } catch (e) {
    io.err(`opsroom postmortem: cannot open ${redact(env.DATABASE_URL)}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const service = new PostmortemService({
      incidents: new KyselyIncidentStore(database), runs: new KyselyRunStore(database), followUps: new KyselyFollowUpStore(database),
      runbooks: () => catalog, clock: io.clock ?? systemClock,
    });
    const names = async (users: string[]) => Object.fromEntries(await peopleNames(users, file, io.env));
    io.out(await service.render(id, format, { names, language: lang as Language | undefined }));
    return 0;
  } catch (e) {
    if (isCoded(e)) {
      io.err(`opsroom postmortem: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await database.close();
  }
}
