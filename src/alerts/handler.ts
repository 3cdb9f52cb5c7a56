/**
 * `POST /alerts/alertmanager` and `POST /alerts/grafana`: bearer token (OPSROOM_ALERTS_TOKEN, several
 * during rotation, compared in constant time), a body of at most 1 MiB, the payload parsed, then
 * handed to the alert intake. Answers 401 before reading the body, 413, 400 with the reason, 500 on
 * a storage failure (the sender retries; a retry opens nothing twice).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertSource } from '#core/alerts/alert.js';
import type { AlertResult } from '#core/alerts/intake.js';
import type { AlertBatch } from '#core/alerts/alert.js';
import { ErrorCode, isCoded } from '#core/errors.js';
import { parseAlertPayload } from './payloads.js';

export const ALERT_PATHS: Record<string, AlertSource> = { '/alerts/alertmanager': 'alertmanager', '/alerts/grafana': 'grafana' };
const MAX_ALERT_BODY = 1024 * 1024;

export interface AlertHandlerOptions {
  tokens: readonly string[];
  receive(batch: AlertBatch): Promise<AlertResult>;
  /** Every request's outcome (metrics, logs): unauthorized, malformed, too_large, failed, or the intake's. */
  observe?(source: AlertSource, outcome: string, batch?: AlertBatch, error?: unknown): void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `header` is `Bearer <one of tokens>`; every token is compared, each in constant time. */
function bearerOk(header: string | undefined, tokens: readonly string[]): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(given, digest(t)) || ok;
  return ok && !!m;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ok: status < 300, ...body })}\n`);
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createAlertHandler(o: AlertHandlerOptions) {
  return async (req: IncomingMessage, res: ServerResponse, source: AlertSource): Promise<void> => {
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('allow', 'POST');
      return reply(res, 405, { error: 'method not allowed' });
    }
    if (!bearerOk(req.headers.authorization, o.tokens)) {
      req.resume();
      o.observe?.(source, 'unauthorized');
      return reply(res, 401, { error: 'unauthorized' });
    }
    const tooLarge = () => {
      o.observe?.(source, 'too_large');
      reply(res, 413, { error: `the body is larger than ${MAX_ALERT_BODY} bytes` });
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_ALERT_BODY) {
      req.resume();
      return tooLarge();
    }
    let batch: AlertBatch;
    try {
      batch = parseAlertPayload(source, await readBody(req, MAX_ALERT_BODY));
    } catch (e) {
      if (e instanceof TooLarge) return tooLarge();
      if (!isCoded(e, ErrorCode.BadInput)) {
        o.observe?.(source, 'malformed', undefined, e);
        return reply(res, 400, { error: 'unreadable body' });
      }
      o.observe?.(source, 'malformed');
      return reply(res, 400, { error: e.message });
    }
    try {
      const r = await o.receive(batch);
      o.observe?.(source, r.outcome, batch);
      reply(res, 200, { outcome: r.outcome, incident: r.incidentId === null ? null : `INC-${r.incidentId}` });
    } catch (e) {
      o.observe?.(source, 'failed', batch, e);
      reply(res, 500, { error: 'not stored; retry' });
    }
  };
}
