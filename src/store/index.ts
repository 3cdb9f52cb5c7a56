export { openDatabase, ping, redact, type Database } from './db.js';
export { pendingMigrations } from './migrations/index.js';
export { KyselyIncidentStore } from './incident-store.js';
export { KyselyOutbox } from './outbox.js';
export { KyselyLeases } from './leases.js';
export { KyselyDeliveries, type DeliveryClaimOptions } from './deliveries.js';
export { KyselyPagerLinks, KyselyPagerEventOrder, releaseClaim } from './pager-links.js';
