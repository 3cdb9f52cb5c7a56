/**
 * Persistence (part of the composition root): the database, the stores every other part shares,
 * the leases replicas coordinate through, and the metrics that read them.
 */
import type { Clock } from '#core/ports.js';
import { Metrics } from '#src/metrics.js';
import { KyselyAlertStore } from '#store/alerts.js';
import { KyselyFollowUpStore } from '#store/follow-ups.js';
import {
  KyselyDeliveries, KyselyIncidentStore, KyselyLeases, KyselyOutbox, KyselyPagerLinks, openDatabase, type DeliveryClaimOptions,
} from '#store/index.js';
import { KyselyHealthStore } from '#store/runbook-health.js';

export interface PersistenceSetup {
  databaseUrl: string;
  clock: Clock;
  /** This replica's name in leases and delivery claims. */
  instance: string;
  deliveries?: Omit<DeliveryClaimOptions, 'owner'>;
}

export async function openPersistence(o: PersistenceSetup) {
  const database = await openDatabase(o.databaseUrl);
  const outbox = new KyselyOutbox(database);
  return {
    database, outbox,
    store: new KyselyIncidentStore(database, o.clock),
    leases: new KyselyLeases(database),
    deliveries: new KyselyDeliveries(database, { owner: o.instance, ...o.deliveries }),
    pagerLinks: new KyselyPagerLinks(database),
    followUps: new KyselyFollowUpStore(database),
    alerts: new KyselyAlertStore(database),
    health: new KyselyHealthStore(database),
    metrics: new Metrics({ database, outbox }),
    close: () => database.close(),
  };
}

export type Persistence = Awaited<ReturnType<typeof openPersistence>>;
