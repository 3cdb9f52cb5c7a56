/**
 * A delivery interrupted after Slack answered (the replica died between chat.postMessage and
 * storing the outcome) is retried without posting twice: the retry finds the message by the
 * effect's key in its metadata.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

/** Fails the first call of `obj[name]` that `when` picks, as a process killed at that point would. */
function failOnce<T extends object, K extends keyof T>(obj: T, name: K, when: (...args: any[]) => boolean | Promise<boolean>) {
  const real = (obj[name] as any).bind(obj);
  let failed = false;
  (obj as any)[name] = async (...args: any[]) => {
    if (!failed && (await when(...args))) {
      failed = true;
      throw new Error('replica killed');
    }
    return real(...args);
  };
  return () => failed;
}

describe('deliveries interrupted after Slack answered', () => {
  it('the card is posted once, and it is the card the incident points at', async () => {
    const clock = new ManualClock(new Date());
    t = await startLocal({ clock });
    // The card reached Slack; storing its ts fails (the process died before it could).
    const failed = failOnce(t.ops.store, 'change', (_id: number, _v: number, patch: { cardTs?: string }) => patch.cardTs !== undefined);
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await t.settle();
    expect(failed()).toBe(true);
    expect(t.messages(INC)).toHaveLength(1);
    expect((await t.ops.store.get(1))?.cardTs).toBeNull();
    clock.advance(5_000); // the retry is due
    await t.settle();
    const cards = t.messages(INC);
    expect(cards).toHaveLength(1);
    expect((await t.ops.store.get(1))?.cardTs).toBe(cards[0].ts);
    // The thread line waited behind the card and went under it.
    expect(t.messages(INC, cards[0].ts).map((m) => m.text).join('\n')).toMatch(/opened this P1 incident/);
    // Clicks on that card find their incident.
    await t.ws.click('U0BOB', { channel: INC, ts: cards[0].ts }, 'incident.acknowledge');
    await waitFor(async () => (await t!.ops.store.get(1))?.acknowledgedBy === 'U0BOB');
  });

  it('a thread line is posted once', async () => {
    const clock = new ManualClock(new Date());
    t = await startLocal({ clock });
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await t.settle();
    const card = t.messages(INC)[0];
    const effects = await t.ops.outbox.forIncident(1);
    expect(effects).toEqual([]);
    // The line reached Slack; marking its effect done fails.
    const isLine = async (id: number) => {
      const row = await t!.ops.database.db.selectFrom('effects').select('payload').where('id', '=', id).executeTakeFirst();
      return JSON.parse(row?.payload ?? '{}').type === 'thread';
    };
    const failed = failOnce(t.ops.outbox, 'markDone', isLine);
    await t.ws.slash('U0ALICE', GEN, 'update INC-1 Rolled back the deploy');
    await t.settle();
    expect(failed()).toBe(true);
    clock.advance(5_000);
    await t.settle();
    const lines = t.messages(INC, card.ts).filter((m) => /Rolled back the deploy/.test(m.text));
    expect(lines).toHaveLength(1);
    expect(await t.ops.outbox.forIncident(1)).toEqual([]);
  });
});
