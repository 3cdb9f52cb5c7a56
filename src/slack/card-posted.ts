/**
 * "The card of incident n is posted": the notifier says so, and the answer to `/incident open`
 * waits a moment for it, to link the thread. No polling: a waiter is resolved by the post itself.
 * A card another replica posts is not seen here; the answer then names the channel only.
 */
const REMEMBERED = 200;

export class CardPosted {
  /** Incident → its card's ts, for the latest cards: a waiter that comes after the post finds it. */
  private readonly recent = new Map<number, string>();
  private readonly waiters = new Map<number, Set<(ts: string) => void>>();
  private count = 0;

  /** Requests waiting for a card right now: deliveries need not yield to them. */
  get waiting(): number {
    return this.count;
  }

  posted(incidentId: number, ts: string): void {
    this.recent.delete(incidentId);
    this.recent.set(incidentId, ts);
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value as number);
    const waiting = this.waiters.get(incidentId);
    this.waiters.delete(incidentId);
    waiting?.forEach((w) => w(ts));
  }

  /** The card's ts once it is posted, or undefined after `ms`. */
  wait(incidentId: number, ms: number): Promise<string | undefined> {
    const known = this.recent.get(incidentId);
    if (known) return Promise.resolve(known);
    if (ms <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const set = this.waiters.get(incidentId) ?? new Set();
      this.waiters.set(incidentId, set);
      this.count++;
      const done = (ts: string | undefined) => {
        clearTimeout(timer);
        set.delete(waiter);
        if (!set.size && this.waiters.get(incidentId) === set) this.waiters.delete(incidentId);
        this.count--;
        resolve(ts);
      };
      const waiter = (ts: string) => done(ts);
      const timer = setTimeout(() => done(undefined), ms);
      set.add(waiter);
    });
  }
}
