/**
 * A slow network link for tests: a TCP proxy that holds each chunk, in each direction, for a
 * random 20–50 ms (order kept), so a process killed mid-transaction dies with queries in flight.
 * When one side closes, what it had already sent still arrives (as the kernel would deliver it),
 * then the other side is closed too.
 *
 *   const link = await startSlowLink({ host: '127.0.0.1', port: 5432 });
 *   // connect to 127.0.0.1:link.port instead
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SlowLink {
  port: number;
  /** Connections opened so far. */
  opened: number;
  close(): Promise<void>;
}

export interface SlowLinkOptions {
  host: string;
  port: number;
  minMs?: number;
  maxMs?: number;
}

/** Forwards `from` to `to`, each chunk delayed; ends `to` once `from` ended and the queue is empty. */
function pipeSlow(from: Socket, to: Socket, delay: () => number) {
  let last = 0; // when the previous chunk goes out: a later chunk never overtakes it
  let pending = 0;
  let ended = false;
  const finish = () => { if (ended && pending === 0) to.end(); };
  from.on('data', (chunk: Buffer) => {
    pending++;
    last = Math.max(Date.now() + delay(), last);
    setTimeout(() => {
      pending--;
      if (!to.destroyed) to.write(chunk);
      finish();
    }, last - Date.now());
  });
  from.on('end', () => { ended = true; finish(); });
  from.on('close', () => { ended = true; finish(); });
}

export async function startSlowLink(options: SlowLinkOptions): Promise<SlowLink> {
  const min = options.minMs ?? 20;
  const max = options.maxMs ?? 50;
  const delay = () => min + Math.random() * (max - min);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    link.opened++;
    const upstream = connect({ host: options.host, port: options.port, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    pipeSlow(client, upstream, delay);
    pipeSlow(upstream, client, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const link: SlowLink = {
    port: (server.address() as AddressInfo).port,
    opened: 0,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
  return link;
}
