/**
 * Deliveries run inside their own log context (incident and effect ids; not the id of whichever
 * request happened to wake the dispatcher), and leave a debug line each.
 */
import type { ChatNotifier } from '#core/ports.js';
import { logContext, type Logger } from '#src/log.js';

/** The notifier as the dispatcher sees it: each delivery logged in its own context. */
export function loggedDeliveries(chat: ChatNotifier, log: Logger): ChatNotifier {
  return {
    deliver: (effect, incident) => logContext.run({ incidentId: incident.id, effectId: effect.id }, async () => {
      const r = await chat.deliver(effect, incident);
      log.debug({ kind: effect.payload.type, target: effect.target, attempt: effect.attempts + 1 }, 'delivered');
      return r;
    }),
  };
}
