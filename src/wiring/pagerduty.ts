import type { Env } from '#config/env.js';
import { ConfigError } from '#config/env.js';
import { urgenciesOf, type FileConfig } from '#config/file.js';
import { PagerEventHandler } from '#core/incidents/pager-events.js';
import type { IncidentService } from '#core/incidents/service.js';
import type { Once } from '#core/once.js';
import type { Clock } from '#core/ports.js';
import type { Logger } from '#src/log.js';
import {
  createWebhookHandler, incidentIdFromKey, mappedService, pagerDutySettingsFromEnv, severityFromPagerDuty,
  type PagerDutySettings, type PagerDutySettingsInput,
} from '#pagerduty/index.js';
import type { Route } from '#src/server.js';
import { KyselyPagerEventOrder, KyselyPagerLinks, releaseClaim, type Database, type KyselyIncidentStore } from '#store/index.js';

/** PagerDuty settings from env and opsroom.yml, or undefined when PAGERDUTY_TOKEN is unset (off). */
export function pagerDutySettings(env: Env, file: FileConfig, extra: Partial<PagerDutySettingsInput> = {}): PagerDutySettings | undefined {
  const { scheduleId: _unused, ...fromFile } = file.pagerduty ?? {};
  try {
    return pagerDutySettingsFromEnv({
      PAGERDUTY_TOKEN: env.PAGERDUTY_TOKEN, PAGERDUTY_API_URL: env.PAGERDUTY_API_URL,
      PAGERDUTY_FROM: env.PAGERDUTY_FROM, PAGERDUTY_SERVICE_ID: env.PAGERDUTY_SERVICE_ID,
    }, { urgencies: urgenciesOf(file), ...fromFile, ...extra });
  } catch (e) {
    const issue = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
    if (!issue) throw e;
    const name = issue.path[0] === 'serviceId' ? 'PAGERDUTY_SERVICE_ID' : `pagerduty.${issue.path.map(String).join('.')}`;
    throw new ConfigError(`${name}: ${issue.message} (needed with PAGERDUTY_TOKEN)`);
  }
}

/** POST /pagerduty/webhook: verified, deduplicated by event id, applied to incidents without echo. */
export function pagerDutyWebhook(
  settings: PagerDutySettings, env: Env,
  d: { incidents: IncidentService; store: KyselyIncidentStore; database: Database; clock: Clock; log: Logger; deliveries?: Once },
): Route {
  const secrets = (env.PAGERDUTY_WEBHOOK_SECRET ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (!secrets.length) d.log.warn({}, 'PAGERDUTY_WEBHOOK_SECRET is not set: every PagerDuty webhook is refused (401)');
  const events = new PagerEventHandler({
    incidents: d.incidents, store: d.store, links: new KyselyPagerLinks(d.database), order: new KyselyPagerEventOrder(d.database),
    incidentIdFromKey: (key) => incidentIdFromKey(key, settings.incidentKeyPrefix),
    watchedService: (id) => mappedService(settings, id),
    severityFor: (pd) => severityFromPagerDuty(settings, pd),
    releaseClaim: (key) => releaseClaim(d.database, key),
  });
  const claimKey = (id: string) => `pagerduty-event:${id}`;
  const handle = createWebhookHandler({
    secrets,
    once: d.deliveries,
    dedupe: (id) => d.store.claim(claimKey(id), d.clock.now()),
    release: (id) => releaseClaim(d.database, claimKey(id)),
    onEvent: async (e) => {
      const outcome = await events.apply(e);
      d.log.info({ eventId: e.eventId, type: e.type, pagerId: e.incident.id, outcome }, 'pagerduty webhook');
    },
    onError: (err, eventId) => d.log.error({ eventId, error: String((err as Error)?.stack ?? err) }, 'pagerduty webhook failed'),
  });
  return (req, res) => void handle(req, res);
}
