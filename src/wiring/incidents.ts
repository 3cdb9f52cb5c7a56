/**
 * Incidents (part of the composition root): the pager, the Slack notifier, the dispatcher that
 * delivers the outbox, and the incident service.
 */
import type { WebClient } from '@slack/web-api';
import { severitiesOf, type FileConfig } from '#config/file.js';
import { EffectDispatcher } from '#core/dispatcher.js';
import { IncidentService } from '#core/incidents/service.js';
import type { Clock, Pager } from '#core/ports.js';
import type { RunPolicy } from '#core/runs/permissions.js';
import type { SystemRouting } from '#core/systems/index.js';
import type { Logger } from '#src/log.js';
import { loggedDeliveries, type RequestGate } from '#ops/index.js';
import { createPager, type PagerDutySettings } from '#pagerduty/index.js';
import { SlackNotifier } from '#slack/notifier.js';
import type { Persistence } from './persistence.js';

export interface IncidentsSetup {
  file: FileConfig;
  clock: Clock;
  log: Logger;
  persistence: Persistence;
  client: WebClient;
  gate: RequestGate;
  policy: RunPolicy;
  routing: SystemRouting;
  incidentChannel: string;
  /** Undefined without PAGERDUTY_TOKEN: the pager is off. */
  pagerSettings: PagerDutySettings | undefined;
}

export function createIncidents(o: IncidentsSetup) {
  const { store, outbox, pagerLinks, followUps, metrics } = o.persistence;
  const severities = severitiesOf(o.file);
  const pager: Pager = metrics.instrumentPager(createPager(o.pagerSettings, pagerLinks, o.clock)); // DisabledPager without a token
  const notifier = new SlackNotifier({
    client: o.client, severities, clock: o.clock, outbox, pagerEnabled: pager.enabled, routing: o.routing,
    pagerLink: (id) => pagerLinks.get(id), followUps: (id) => followUps.forIncident(id),
  });
  const dispatcher: EffectDispatcher = new EffectDispatcher({
    // A request waiting for its incident's card (to link it) is not one to yield to.
    outbox, store, chat: loggedDeliveries(notifier, o.log), pager, clock: o.clock, busy: () => o.gate.active > notifier.cards.waiting,
    // The card's "PagerDuty: pending / failed / link" line follows each pager call's outcome.
    afterDelivery: async (effect, outcome) => {
      if (effect.target !== 'pager' || (!outcome.ok && outcome.retryAt && effect.attempts > 0)) return;
      await store.record(effect.incidentId, [], [{ target: 'chat', payload: { type: 'card' } }]);
      void dispatcher.kick();
    },
    onError: (effect, error) => o.log.warn({ effectId: effect.id, incidentId: effect.incidentId, kind: effect.payload.type, error: String(error) }, 'delivery failed'),
    onPollError: (error) => o.log.warn({ error: String(error) }, 'deliveries paused: cannot read the outbox'),
  });
  /** Tells the dispatcher that effects were stored. */
  const kick = () => void dispatcher.kick();
  const incidents = new IncidentService({
    store, clock: o.clock, severities, incidentChannel: o.incidentChannel, routing: o.routing, pagerEnabled: pager.enabled, onEffects: kick,
    mayAssign: (actor, i) => o.policy.check(actor, 'assign', i),
    changed: (before, after) => metrics.observeIncident(before, after),
  });
  return { severities, pager, notifier, dispatcher, kick, incidents };
}

export type Incidents = ReturnType<typeof createIncidents>;
