import type { RespondArguments } from '@slack/bolt';

/**
 * Slack waits 3 s for an ack. Answer in the ack when the work is done by then, else via response_url.
 * Slow work is not acknowledged ahead of time: a 200 tells Slack the request is handled, and a
 * replica that died before storing the effect would lose it. Unacknowledged, Slack retries; the
 * retry finds the request handled (or takes it over from a dead replica).
 */
export const ACK_BUDGET_MS = 2000;

export async function withinAckWindow(
  work: Promise<RespondArguments>,
  ack: (r?: RespondArguments) => Promise<void>,
  respond: (r: RespondArguments) => Promise<unknown>,
  arrivedAt = Date.now(),
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = Math.max(0, ACK_BUDGET_MS - (Date.now() - arrivedAt));
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), budget); });
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  if (first !== 'late') {
    await ack(first);
    return;
  }
  await respond(await work);
}
