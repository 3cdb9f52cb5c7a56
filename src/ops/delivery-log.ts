/**
 * Deliveries run inside their own log context (incident and effect ids; not the id of whichever
 * request happened to wake the dispatcher), and leave a debug line each.
 */
import type { Effect } from '../core/effects.js';
import type { Incident } from '../core/incidents/incident.js';
import { logContext, type Logger } from '../log.js';

interface Deliverer {
  deliver(effect: Effect, incident: Incident): Promise<unknown>;
}

export function logDeliveries<T extends Deliverer>(target: T, log: Logger): T {
  const deliver = target.deliver.bind(target);
  target.deliver = (effect, incident) => logContext.run({ incidentId: incident.id, effectId: effect.id }, async () => {
    const r = await deliver(effect, incident);
    log.debug({ kind: effect.payload.type, target: effect.target, attempt: effect.attempts + 1 }, 'delivered');
    return r;
  });
  return target;
}
