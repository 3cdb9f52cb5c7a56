/**
 * `opsroom handoff`: prints the shift handoff summary (the one Slack shows) as markdown or JSON,
 * from the stored state, for tickets, docs or other tools.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '#config/env.js';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { isCoded } from '#core/errors.js';
import { toJson, toMarkdown } from '#core/handoffs/render.js';
import { HandoffService } from '#core/handoffs/service.js';
import { parseSince, upToNow } from '#core/handoffs/window.js';
import { systemClock, type Clock } from '#core/ports.js';
import { createPager, InMemoryPagerLinks, pagerDutySettingsFromEnv } from '#pagerduty/index.js';
import { openDatabase, redact } from '#store/db.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { KyselyFollowUpStore } from '#store/follow-ups.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { peopleNames, userIdsIn } from './names.js';

export const summary = 'print the shift handoff summary (--since, --until, --format md|json)';

const USAGE = `usage: opsroom handoff [--since TIME] [--until TIME] [--format md|json] [--db URL] [--config FILE]

TIME is 14:00 (the latest such local time), 6h / 90m / 2d back from now, or 2026-11-22T08:00
(local time in handoff.timeZone unless it ends in Z or an offset).
Without --since: the current shift (PagerDuty, else handoff.shifts in opsroom.yml, else the last 12 h).`;

export interface HandoffIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
}

export function main(args: string[]): Promise<number> {
  return runHandoff(args, { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t), env: process.env });
}

export async function runHandoff(args: string[], io: HandoffIo): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args,
      options: {
        since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string', default: 'md' },
        db: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    io.err(`opsroom handoff: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (o.help) {
    io.out(USAGE + '\n');
    return 0;
  }
  if (o.format !== 'md' && o.format !== 'json') {
    io.err(`opsroom handoff: --format must be md or json (got "${o.format}")\n`);
    return 2;
  }
  let file;
  try {
    file = loadFileConfig(o.config ?? io.env.OPSROOM_CONFIG ?? 'opsroom.yml');
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`opsroom handoff: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const clock = io.clock ?? systemClock;
  const url = o.db ?? io.env.DATABASE_URL ?? 'sqlite:./data/opsroom.db';
  const database = await openDatabase(url).catch((e: Error) => {
    io.err(`opsroom handoff: cannot open ${redact(url)}: ${e.message}\n`);
    return undefined;
  });
  if (!database) return 2;
  try {
    const pdSettings = io.env.PAGERDUTY_TOKEN ? pagerDutySettingsFromEnv(io.env, { ...(file.pagerduty ?? {}) }) : undefined;
    const service = new HandoffService({
      incidents: new KyselyIncidentStore(database, clock), handoffs: new KyselyHandoffStore(database), clock, followUps: new KyselyFollowUpStore(database),
      severities: severitiesOf(file), config: file.handoff, channel: '',
      pager: pdSettings ? createPager(pdSettings, new InMemoryPagerLinks(), clock) : undefined,
    });
    const now = clock.now();
    const tz = file.handoff.timeZone;
    const until = o.until ? parseSince(o.until, now, tz) : upToNow(now);
    const window = o.since
      ? { since: parseSince(o.since, now, tz), until, source: 'since' as const }
      : { ...(await service.currentWindow()), ...(o.until ? { until } : {}) };
    const s = await service.summarize(window);
    io.out(o.format === 'json' ? toJson(s) + '\n' : toMarkdown(s, await peopleNames(userIdsIn(s), file, io.env)));
    return 0;
  } catch (e) {
    if (isCoded(e)) {
      io.err(`opsroom handoff: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await database.close();
  }
}
