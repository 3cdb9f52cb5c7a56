/**
 * Coalesced message edits inside Slack's rate limits: at most one send per message per interval
 * (1 s), always the newest state, never a backlog. On a 429 it waits Retry-After, then sends
 * whatever is newest by then. The payload is built when it is sent, so it is always current.
 */

export interface CoalescerOptions {
  /** Least time between two sends (default 1000 ms). */
  minIntervalMs?: number;
  /** Gives up on one state after this many failures that are not rate limits (default 3). */
  maxFailures?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onError?: (e: unknown) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retry-After in ms when `e` is a rate-limited Web API error. */
export function retryAfterMs(e: unknown): number | undefined {
  const err = e as { code?: string; retryAfter?: number; statusCode?: number } | undefined;
  if (err?.code === 'slack_webapi_rate_limited_error') return Math.max(0, (err.retryAfter ?? 1) * 1000);
  if (err?.statusCode === 429) return 1000;
  return undefined;
}

export class Coalescer {
  private version = 0;
  private sent = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private loop: Promise<void> | undefined;
  private running = false;
  private latest: (() => Promise<void>) | undefined;
  /** How many sends were attempted (for tests and metrics). */
  attempts = 0;

  constructor(private readonly o: CoalescerOptions = {}) {}

  /** The newest state: `send` performs the call (it builds its payload when called). */
  set(send: () => Promise<void>): void {
    this.latest = send;
    this.version++;
    if (!this.running) this.start();
  }

  /** Resolves once the newest state has been sent (or given up on). */
  async flush(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private start(): void {
    this.running = true;
    this.loop = this.run().finally(() => {
      this.running = false;
      this.loop = undefined;
      if (this.sent < this.version) this.start();
    });
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // never send from inside set(): one loop per message, always
    const sleep = this.o.sleep ?? defaultSleep;
    const now = this.o.now ?? Date.now;
    const interval = this.o.minIntervalMs ?? 1000;
    let failures = 0;
    while (this.sent < this.version) {
      const wait = this.lastSentAt + interval - now();
      if (wait > 0) await sleep(wait);
      const v = this.version;
      const send = this.latest!;
      this.attempts++;
      try {
        await send();
        this.sent = v;
        this.lastSentAt = now();
        failures = 0;
      } catch (e) {
        const after = retryAfterMs(e);
        this.lastSentAt = now();
        if (after !== undefined) {
          await sleep(after);
          continue;
        }
        this.o.onError?.(e);
        if (++failures >= (this.o.maxFailures ?? 3)) {
          this.sent = v;
          failures = 0;
        } else await sleep(Math.min(interval * 2 ** failures, 10_000));
      }
    }
  }
}

/** The newest part of a growing text, bounded (what a live message can show). */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 16_384) {}
  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.text = this.text.slice(this.text.length - this.max);
  }
  get value(): string {
    return this.text.length > this.max ? this.text.slice(this.text.length - this.max) : this.text;
  }
}
