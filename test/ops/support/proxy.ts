/**
 * A small round-robin load balancer for tests: each request goes to the next live backend; a
 * backend that refuses the connection is skipped (the request goes to the next one), one that
 * fails after accepting it gives 502, as a real load balancer does.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  url: string;
  backends: string[];
  /** Requests each backend answered. */
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startProxy(backends: string[]): Promise<Proxy> {
  let next = 0;
  const served = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        if (tries >= proxy.backends.length) return void res.writeHead(503).end('no backend\n');
        const backend = proxy.backends[next++ % proxy.backends.length];
        const out = request(`${backend}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(backend).host } }, (up) => {
          served.set(backend, (served.get(backend) ?? 0) + 1);
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        out.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'ECONNREFUSED' && !res.headersSent) return attempt(tries + 1);
          if (!res.headersSent) res.writeHead(502).end(`backend failed: ${e.code}\n`);
          else res.destroy();
        });
        out.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: Proxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    served,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  return proxy;
}
