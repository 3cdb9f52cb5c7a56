import { DeliveryError, type Effect } from './effects.js';
import { CodedError, ErrorCode, isCoded } from './errors.js';
import type { Incident } from './incidents/incident.js';
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
  /** Told when a drain fails as a whole (e.g. the database is unreachable); polling backs off and resumes. */
  onPollError?: (error: unknown) => void;
  /**
   * True while requests wait to be acknowledged (Slack allows 3 s). Deliveries yield to them: a
   * card may appear a moment later, an acknowledgement must not.
   */
  busy?: () => boolean;
  /** Told after each delivery is stored as done or failed (e.g. to re-render the card's pager line). */
  afterDelivery?: (effect: Effect, outcome: DeliveryOutcome) => Promise<void> | void;
}

export type DeliveryOutcome = { ok: true } | { ok: false; error: unknown; retryAt: Date | null };

const MAX_BACKOFF_MS = 60_000;
/** Longest a drain waits for requests to be answered before delivering a small batch anyway. */
const MAX_YIELD_MS = 1000;
const BATCH = 20;
const BUSY_BATCH = 4;
/** After a failed drain, the poll waits this long (doubling, capped) before trying again. */
const POLL_BACKOFF_MS = 500;
const MAX_POLL_BACKOFF_MS = 30_000;

/** Delivers stored effects, oldest first per incident and target, retrying with backoff. */
export class EffectDispatcher {
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Pager deliveries run beside the drain: a slow pager must not hold up chat effects. */
  private readonly inflight = new Set<Promise<void>>();
  private failures = 0;
  private pausedUntil = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  start() {
    this.stopped = false;
    // After a failed drain the poll waits (backoff); a kick for new effects (just stored) goes at once.
    this.timer = setInterval(() => { if (Date.now() >= this.pausedUntil) void this.kick(); }, this.deps.pollMs ?? 1000);
    this.timer.unref();
    void this.kick(); // kick handles its own failures
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
    await Promise.all(this.inflight);
  }

  /** Delivers what is due now; coalesces calls made while a drain runs. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drain().then(() => { this.failures = 0; }, (e) => this.pollFailed(e)).finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        void this.kick();
      }
    });
    return this.draining;
  }

  /** A drain failed (storage down): never an unhandled rejection; wait, then let the poll try again. */
  private pollFailed(e: unknown) {
    this.failures++;
    this.again = false;
    this.pausedUntil = Date.now() + Math.min(MAX_POLL_BACKOFF_MS, POLL_BACKOFF_MS * 2 ** (this.failures - 1));
    try {
      this.deps.onPollError?.(e);
    } catch { /* a failing logger must not stop the poll */ }
  }

  /** Resolves once no drain is running or queued: everything due has been tried. */
  async settle(): Promise<void> {
    await this.kick();
    while (this.draining || this.inflight.size) {
      await this.draining;
      await Promise.all(this.inflight);
    }
  }

  /** Delivers until nothing is due. */
  async drain(): Promise<void> {
    for (;;) {
      const busy = await this.yieldToRequests();
      const due = await this.deps.outbox.claimDue(this.deps.clock.now(), busy ? BUSY_BATCH : BATCH);
      if (due.length === 0 || this.stopped) return;
      // Claimed effects are leased, so the next claim skips a pager call still in flight.
      for (const e of due.filter((x) => x.target === 'pager')) {
        const p: Promise<void> = this.deliver(e).catch((err) => this.pollFailed(err)).finally(() => {
          this.inflight.delete(p);
          void this.kick(); // the next effect of its queue may be due now
        });
        this.inflight.add(p);
      }
      await Promise.all(due.filter((x) => x.target !== 'pager').map((e) => this.deliver(e)));
    }
  }

  /** Waits while requests are being acknowledged; true when they still are (deliver a little). */
  private async yieldToRequests(): Promise<boolean> {
    const { busy } = this.deps;
    if (!busy) return false;
    const until = Date.now() + MAX_YIELD_MS;
    while (busy() && Date.now() < until && !this.stopped) await new Promise((r) => setTimeout(r, 5));
    return busy();
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
        if (r?.cardTs) await this.saveCardTs(incident, r.cardTs);
      }
      await outbox.markDone(effect.id);
      await this.after(effect, { ok: true });
    } catch (e) {
      this.deps.onError?.(effect, e);
      const retryable = e instanceof DeliveryError ? e.retryable : true;
      const wait = e instanceof DeliveryError && e.retryAfterMs !== undefined
        ? e.retryAfterMs
        : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** effect.attempts);
      const at = retryable ? new Date(this.deps.clock.now().getTime() + wait) : null;
      await outbox.markFailed(effect.id, e instanceof Error ? e.message : String(e), at);
      await this.after(effect, { ok: false, error: e, retryAt: at });
    }
  }

  private async after(effect: Effect, outcome: DeliveryOutcome) {
    try {
      await this.deps.afterDelivery?.(effect, outcome);
    } catch (e) {
      this.deps.onError?.(effect, e);
    }
  }

  /** The first attempt uses the incident just delivered (its version), a conflict reads it again. */
  private async saveCardTs(delivered: Incident, cardTs: string) {
    const id = delivered.id;
    for (let attempt = 0; attempt < 5; attempt++) {
      const i = attempt === 0 ? delivered : await this.deps.store.get(id);
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
