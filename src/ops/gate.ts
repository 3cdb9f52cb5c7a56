/**
 * The door of the HTTP server during shutdown: once `close()` is called, new work (Slack and
 * PagerDuty requests) gets 503 (with `Connection: close`, so a load balancer retries it elsewhere)
 * while requests already inside finish; `idle()` resolves when none is left. Probes, /metrics and
 * the local workspace stay open (the bot's own Web API calls go there in local mode).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const WORK = new Set(['/slack/events', '/pagerduty/webhook']);

export class RequestGate {
  private inflight = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  get open() {
    return !this.closed;
  }

  get active() {
    return this.inflight;
  }

  /** True when the request may go on (it is counted until its response closes); false when answered 503. */
  admit = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (!WORK.has(path)) return true;
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain', connection: 'close', 'retry-after': '1' }).end('shutting down\n');
      req.resume();
      return false;
    }
    this.inflight++;
    res.once('close', () => {
      this.inflight--;
      if (this.inflight === 0) this.waiters.forEach((w) => w());
    });
    return true;
  };

  /** Stops admitting new work. */
  close(): void {
    this.closed = true;
  }

  /** Resolves true once no admitted request is left, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(ok);
      };
      const waiter = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
