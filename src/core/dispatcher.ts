import { DeliveryError, type Effect } from './effects.js';
import { CodedError, ErrorCode, isCoded } from './errors.js';
import type { ChatNotifier, Clock, IncidentStore, Outbox, Pager } from './ports.js';

export interface DispatcherDeps {
  outbox: Outbox;
  store: IncidentStore;
  chat: ChatNotifier;
  pager: Pager;
  clock: Clock;
  /** How often due effects are looked for without a kick. */
  pollMs?: number;
  onError?: (effect: Effect, error: unknown) => void;
}

const MAX_BACKOFF_MS = 60_000;

/** Delivers stored effects, oldest first per incident and target, retrying with backoff. */
export class EffectDispatcher {
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  start() {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
  }

  /** Delivers what is due now; coalesces calls made while a drain runs. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        void this.kick();
      }
    });
    return this.draining;
  }

  /** Resolves once no drain is running or queued: everything due has been tried. */
  async settle(): Promise<void> {
    await this.kick();
    while (this.draining) await this.draining;
  }

  /** Delivers until nothing is due. */
  async drain(): Promise<void> {
    for (;;) {
      const due = await this.deps.outbox.claimDue(this.deps.clock.now(), 20);
      if (due.length === 0 || this.stopped) return;
      await Promise.all(due.map((e) => this.deliver(e)));
    }
  }

  private async deliver(effect: Effect) {
    const { outbox, store } = this.deps;
    try {
      const incident = await store.get(effect.incidentId);
      if (!incident) throw new DeliveryError(`incident ${effect.incidentId} is gone`, false);
      if (effect.target === 'pager') {
        await this.deps.pager.deliver(effect, incident);
      } else {
        const r = await this.deps.chat.deliver(effect, incident);
        if (r?.cardTs) await this.saveCardTs(incident.id, r.cardTs);
      }
      await outbox.markDone(effect.id);
    } catch (e) {
      this.deps.onError?.(effect, e);
      const retryable = e instanceof DeliveryError ? e.retryable : true;
      const wait = e instanceof DeliveryError && e.retryAfterMs !== undefined
        ? e.retryAfterMs
        : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** effect.attempts);
      const at = retryable ? new Date(this.deps.clock.now().getTime() + wait) : null;
      await outbox.markFailed(effect.id, e instanceof Error ? e.message : String(e), at);
    }
  }

  private async saveCardTs(id: number, cardTs: string) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const i = await this.deps.store.get(id);
      if (!i || i.cardTs) return;
      try {
        await this.deps.store.change(id, i.version, { cardTs }, [], []);
        return;
      } catch (e) {
        if (!isCoded(e, ErrorCode.Conflict)) throw e;
      }
    }
    throw new CodedError(ErrorCode.Conflict, `could not store the card of incident ${id}`);
  }
}
