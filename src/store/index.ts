export { openDatabase, ping, redact, type Database, type Dialect, type OpenOptions } from './db.js';
export { migrate, pendingMigrations, type StoreMigration } from './migrations/index.js';
export { KyselyIncidentStore, nextCounter, appendTimeline } from './incident-store.js';
export { KyselyOutbox, type OutboxOptions } from './outbox.js';
export { KyselyLeases } from './leases.js';
export { KyselyDeliveries, type DeliveryClaimOptions } from './deliveries.js';
export { ClaimingDriver } from './claim-scope.js';
export { KyselyPagerLinks, KyselyPagerEventOrder, releaseClaim } from './pager-links.js';
export type { Tables } from './tables.js';
