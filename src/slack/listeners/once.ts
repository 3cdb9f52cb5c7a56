/**
 * Every slash command, click, modal submission, shortcut and event has its effect once, also when Slack delivers
 * the identical signed request again (a retry, a replay within the signature's five minutes).
 * A global middleware claims each delivery by what identifies it in the signed payload.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Once } from '#core/once.js';
import type { IncidentStore, Clock } from '#core/ports.js';

type Body = Record<string, any>;

/** The key of one delivery: what Slack sends again, identical, when it retries or is replayed. */
function deliveryKey(body: Body): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const trigger = typeof body.trigger_id === 'string' ? body.trigger_id : '';
  if (typeof body.command === 'string' && trigger) return `slash:${trigger}`;
  if (body.type === 'block_actions' && trigger) {
    const a = Array.isArray(body.actions) ? body.actions[0] : undefined;
    return `click:${trigger}:${a?.action_id ?? ''}:${a?.action_ts ?? ''}`;
  }
  if (body.type === 'view_submission' && body.view?.id) return `submit:${body.view.id}:${body.view.hash ?? ''}:${trigger}`;
  if ((body.type === 'message_action' || body.type === 'shortcut') && trigger) return `shortcut:${trigger}`;
  // Slack retries an event (X-Slack-Retry-Num) with the same event_id.
  if (body.type === 'event_callback' && typeof body.event_id === 'string' && body.event_id) return `event:${body.event_id}`;
  return undefined;
}

/** When a request arrived (set by onceMiddleware), so the ack budget counts time spent waiting for a claim. */
export const arrivedAt = (context: Record<string, unknown>): number =>
  typeof context.arrivedAt === 'number' ? context.arrivedAt : Date.now();

/**
 * Runs the listeners of a delivery once; a repeated delivery of a handled one is acknowledged with
 * nothing done. One still held elsewhere when the wait ends is not acknowledged: its holder may
 * have died, and Slack's next retry takes the claim over once the lease lapses.
 */
export function onceMiddleware(once: Once): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = deliveryKey(args.body as Body);
    if (!key) return void (await args.next());
    args.context.arrivedAt = Date.now();
    const r = await once.run(key, () => args.next());
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (!r.ran && !r.busy && ack) await ack();
  };
}

/** Deps without delivery claims (tests that build listeners alone): a permanent claim per key. */
export function claimsOf(d: { deliveries?: Once; store: IncidentStore; clock: Clock }): Once {
  return d.deliveries ?? {
    async run(key, work) {
      if (!(await d.store.claim(key, d.clock.now()))) return { ran: false };
      return { ran: true, value: await work() };
    },
  };
}
