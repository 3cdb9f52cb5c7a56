/**
 * Background work that one replica at a time does (update reminders, scheduled posts): every
 * `everyMs` each replica tries the named lease; the holder renews it and runs the job, the others
 * skip. When the holder dies its lease lapses after `ttlMs` and the next replica to try takes over.
 */
import type { Clock } from '#core/ports.js';

interface LeaseStore {
  tryLease(name: string, owner: string, until: Date, now: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface LeasedLoopOptions {
  name: string;
  owner: string;
  leases: LeaseStore;
  clock: Clock;
  everyMs: number;
  /** How long the lease outlives a tick (default 3 × everyMs). */
  ttlMs?: number;
  run: () => Promise<unknown>;
  onError?: (error: unknown) => void;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export class LeasedLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failures = 0;
  private pausedUntil = 0;

  constructor(private readonly o: LeasedLoopOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.everyMs);
    this.timer.unref();
    void this.tick();
  }

  /**
   * One round: take or renew the lease, then run the job if we hold it. True when it ran. After a
   * failure (e.g. the database is down) rounds are skipped for a while, doubling up to 5 minutes.
   */
  async tick(): Promise<boolean> {
    if (this.running || Date.now() < this.pausedUntil) return false;
    let ran = false;
    this.running = (async () => {
      try {
        const now = this.o.clock.now();
        const until = new Date(now.getTime() + (this.o.ttlMs ?? 3 * this.o.everyMs));
        if (!(await this.o.leases.tryLease(this.o.name, this.o.owner, until, now))) return;
        ran = true;
        await this.o.run();
        this.failures = 0;
      } catch (e) {
        this.failures++;
        const wait = Math.min(MAX_BACKOFF_MS, this.o.everyMs * (2 ** (this.failures - 1) - 1));
        this.pausedUntil = Date.now() + wait;
        try { this.o.onError?.(e); } catch { /* a failing logger must not stop the loop */ }
      }
    })().finally(() => {
      this.running = undefined;
    });
    await this.running;
    return ran;
  }

  /** Stops ticking, waits for a running job, and gives the lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.o.leases.release(this.o.name, this.o.owner).catch(() => {});
  }
}
