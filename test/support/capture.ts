// Test helper: records the signed requests a workspace sends its app, to send the identical bytes again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Workspace } from '#workspace/index.js';

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
  /** The interaction payload (block_actions, view_submission), the slash command's fields, or the event callback. */
  payload: Record<string, any>;
}

const KEPT = ['content-type', 'x-slack-signature', 'x-slack-request-timestamp'];

/** Puts a recording hop between `ws` and its app. `replay` sends a recorded request again, byte for byte. */
export async function captureRequests(ws: Workspace) {
  const target = ws.appUrl!;
  const requests: SignedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(KEPT.filter((h) => req.headers[h]).map((h) => [h, String(req.headers[h])]));
      const form = new URLSearchParams(body);
      const json = String(req.headers['content-type'] ?? '').startsWith('application/json');
      requests.push({ body, headers, payload: json ? JSON.parse(body) : form.has('payload') ? JSON.parse(form.get('payload')!) : Object.fromEntries(form) });
      const r = await fetch(target, { method: 'POST', body, headers });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(await r.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ws.appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return {
    requests,
    /** The last recorded request matching `pick`. */
    last(pick: (p: Record<string, any>) => boolean): SignedRequest {
      const found = requests.filter((r) => pick(r.payload)).at(-1);
      if (!found) throw new Error('no such request was sent');
      return found;
    },
    /** Sends `r` again to the app, identical (same body, timestamp and signature); `extra` adds headers (X-Slack-Retry-Num). */
    async replay(r: SignedRequest, extra: Record<string, string> = {}): Promise<{ status: number; text: string }> {
      const answer = await fetch(target, { method: 'POST', body: r.body, headers: { ...r.headers, ...extra } });
      return { status: answer.status, text: await answer.text() };
    },
    async close() {
      ws.appUrl = target;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
