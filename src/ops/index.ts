/** Operating opsroom: shutdown gate, readiness, leased background loops, Socket Mode guard, request logs. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export { RequestGate } from './gate.js';
export { LeasedLoop } from './leased-loop.js';
export { readiness } from './readiness.js';
export { holdSocketModeLease } from './socket-mode.js';
export { observedSlackRoute, logRuns } from './http.js';
export { loggedDeliveries } from './delivery-log.js';

/** A name for this process among replicas: OPSROOM_INSTANCE_ID, else host:pid:random. */
export const instanceName = (env: NodeJS.ProcessEnv = process.env) =>
  env.OPSROOM_INSTANCE_ID || `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
