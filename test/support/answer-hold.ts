/**
 * An HTTP proxy in front of a Web API that passes every call on at once but holds back the answer
 * of the calls `hold` picks (up to `maxHoldMs`): the call has taken effect upstream, the caller
 * does not know yet. A process killed meanwhile dies between "posted" and "recorded".
 *
 *   const tap = await startAnswerHold(ws.apiUrl, (path, body) => path.endsWith('/chat.postMessage'));
 *   // give the process tap.url as its API URL; tap.holding counts answers held right now
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnswerHold {
  url: string;
  /** Answers held back right now. */
  holding: number;
  /** Calls whose answer was held, in total. */
  held: number;
  close(): Promise<void>;
}

export async function startAnswerHold(upstream: string, hold: (path: string, body: string) => boolean, maxHoldMs = 8000): Promise<AnswerHold> {
  const base = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = `${base.pathname.replace(/\/$/, '')}${req.url ?? '/'}`;
      const holdIt = hold(req.url ?? '/', body.toString('utf8'));
      const out = request({ host: base.hostname, port: base.port, path, method: req.method, headers: { ...req.headers, host: base.host } }, (up) => {
        const answer: Buffer[] = [];
        up.on('data', (c: Buffer) => answer.push(c));
        up.on('end', () => {
          const send = () => { if (!res.destroyed) res.writeHead(up.statusCode ?? 502, up.headers).end(Buffer.concat(answer)); };
          if (!holdIt) return send();
          tap.held++;
          tap.holding++;
          const timer = setTimeout(() => { tap.holding--; send(); }, maxHoldMs);
          res.once('close', () => { if (!res.writableEnded) { clearTimeout(timer); tap.holding--; } });
        });
      });
      out.on('error', () => { if (!res.headersSent) res.writeHead(502).end(); });
      out.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const tap: AnswerHold = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    holding: 0,
    held: 0,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  return tap;
}
