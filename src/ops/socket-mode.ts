/**
 * Socket Mode with several replicas is refused: Slack spreads a Socket Mode app's events over its
 * open connections, so a second replica would silently take part of the traffic with no load
 * balancer, health check or draining in front of it. The first replica holds the lease
 * `slack-socket-mode` and renews it; a second one waits one lease period (a crashed holder's
 * lease lapses) and, if the holder is still renewing, stops with a message pointing to HTTP mode.
 */
import { ConfigError } from '#config/env.js';
import type { Clock } from '#core/ports.js';

const SOCKET_MODE_LEASE = 'slack-socket-mode';

interface SocketModeLeaseStore {
  tryLease(name: string, owner: string, until: Date, now: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
  holder(name: string, now: Date): Promise<{ owner: string; until: Date } | undefined>;
}

export interface SocketModeGuardOptions {
  leases: SocketModeLeaseStore;
  owner: string;
  clock: Clock;
  /** Lease period (default 20 s); renewed every third of it. */
  ttlMs?: number;
  onLost?: (holder: string | undefined) => void;
  sleep?: (ms: number) => Promise<void>;
}

const socketModeRefusal = (holder: string) =>
  `Socket Mode runs one opsroom replica only, and replica "${holder}" is already connected to Slack. ` +
  'To run several replicas, use HTTP mode: unset SLACK_APP_TOKEN, set SLACK_SIGNING_SECRET, put the replicas ' +
  'behind a load balancer and point the Slack app\'s Request URLs at https://<load balancer>/slack/events ' +
  '(see docs/operating.md).';

/** Takes the Socket Mode lease or throws ConfigError. Returns `release` (stops renewing, gives it up). */
export async function holdSocketModeLease(o: SocketModeGuardOptions): Promise<() => Promise<void>> {
  const ttl = o.ttlMs ?? 20_000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const take = () => {
    const now = o.clock.now();
    return o.leases.tryLease(SOCKET_MODE_LEASE, o.owner, new Date(now.getTime() + ttl), now);
  };
  if (!(await take())) {
    // Held: wait out one lease period. A dead holder stops renewing and its lease lapses.
    const first = await o.leases.holder(SOCKET_MODE_LEASE, o.clock.now());
    const deadline = Date.now() + ttl + 1000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      await sleep(Math.min(1000, ttl / 4));
      ok = await take();
    }
    if (!ok) throw new ConfigError(socketModeRefusal(first?.owner ?? 'another replica'));
  }
  const timer = setInterval(() => {
    // Database briefly unreachable (renewing or asking who holds it): try again next time.
    take()
      .then(async (held) => { if (!held) o.onLost?.((await o.leases.holder(SOCKET_MODE_LEASE, o.clock.now()))?.owner); })
      .catch(() => {});
  }, Math.max(100, Math.floor(ttl / 3)));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await o.leases.release(SOCKET_MODE_LEASE, o.owner).catch(() => {});
  };
}
