/**
 * A slash command is acknowledged (a 200 to Slack) only once its work is done: a replica that
 * dies before storing the effect must leave Slack a reason to retry. A delivery another holder
 * still has is not acknowledged either; one already handled is.
 */
import { describe, expect, it } from 'vitest';
import type { RespondArguments } from '@slack/bolt';
import type { Once, OnceResult } from '#core/once.js';
import { ACK_BUDGET_MS, withinAckWindow } from '#slack/listeners/ack.js';
import { onceMiddleware } from '#slack/listeners/once.js';

const recorder = () => {
  const acks: Array<RespondArguments | undefined> = [];
  const responses: RespondArguments[] = [];
  return {
    acks, responses,
    ack: async (r?: RespondArguments) => { acks.push(r); },
    respond: async (r: RespondArguments) => { responses.push(r); },
  };
};

describe('withinAckWindow', () => {
  it('acknowledges with the answer when the work is done in time', async () => {
    const r = recorder();
    await withinAckWindow(Promise.resolve({ text: 'Opened INC-1' }), r.ack, r.respond);
    expect(r.acks).toEqual([{ text: 'Opened INC-1' }]);
    expect(r.responses).toEqual([]);
  });

  it('does not acknowledge work that is not done when the budget is spent; the answer goes to response_url', async () => {
    const r = recorder();
    let finish!: (v: RespondArguments) => void;
    const work = new Promise<RespondArguments>((res) => { finish = res; });
    const done = withinAckWindow(work, r.ack, r.respond, Date.now() - ACK_BUDGET_MS);
    await new Promise((res) => setTimeout(res, 20));
    expect(r.acks).toEqual([]);
    finish({ text: 'Opened INC-2' });
    await done;
    expect(r.acks).toEqual([]);
    expect(r.responses).toEqual([{ text: 'Opened INC-2' }]);
  });
});

describe('onceMiddleware', () => {
  const body = { command: '/incident', trigger_id: 'T1', text: 'open P2 x' };
  const run = async (result: OnceResult<unknown>) => {
    const once: Once = { run: async () => result as never };
    const acks: unknown[] = [];
    await onceMiddleware(once)({ body, context: {}, next: async () => {}, ack: async () => { acks.push('ack'); } } as never);
    return acks;
  };

  it('acknowledges a delivery already handled', async () => {
    expect(await run({ ran: false })).toEqual(['ack']);
  });

  it('leaves a delivery another holder still has unacknowledged, so Slack retries it', async () => {
    expect(await run({ ran: false, busy: true })).toEqual([]);
  });
});
