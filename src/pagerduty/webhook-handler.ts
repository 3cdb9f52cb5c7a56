import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCoded, ErrorCode } from '#core/errors.js';
import type { Once } from '#core/once.js';
import { parseWebhook, type PagerDutyEvent } from './webhook-events.js';
import { verifyWebhookSignature } from './webhook-signature.js';

export const WEBHOOK_PATH = '/pagerduty/webhook';
const KEEP_MS = 7 * 24 * 3600_000;
const MAX_BODY = 1024 * 1024;

export interface WebhookHandlerOptions {
  /** Current secrets (PAGERDUTY_WEBHOOK_SECRET; several during rotation). */
  secrets: readonly string[];
  /**
   * Delivery claims by event id: the event is applied once, and the claim commits with its effect,
   * so a delivery whose handler died is applied by PagerDuty's retry. Preferred over dedupe/release.
   */
  once?: Once;
  /** How long an event id is remembered (its signature carries no time, so long: default 7 days). */
  keepMs?: number;
  /** Claims an event id: true the first time, false for a repeated delivery (e.g. IncidentStore.claim). */
  dedupe?: (eventId: string) => Promise<boolean>;
  /** Gives the claim back when handling failed, so PagerDuty's retry is processed. Optional. */
  release?: (eventId: string) => Promise<void>;
  onEvent: (e: PagerDutyEvent) => Promise<void>;
  /** Told about handling failures (the answer is then 500 and PagerDuty retries). */
  onError?: (err: unknown, eventId?: string) => void;
}

export type WebhookOutcome = 'handled' | 'duplicate' | 'ignored' | 'unauthorized' | 'malformed' | 'failed';

function reply(res: ServerResponse, status: number, outcome: WebhookOutcome | string) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: status < 300, outcome }));
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * `POST /pagerduty/webhook`: verifies the signature over the raw body (401, nothing happens),
 * acknowledges unknown event types (200, ignored), drops repeated deliveries by event id, and hands
 * the typed event to `onEvent`. A body already read by a framework can be passed as `rawBody`.
 */
export function createWebhookHandler(opts: WebhookHandlerOptions) {
  return async function handle(req: IncomingMessage, res: ServerResponse, rawBody?: Buffer): Promise<WebhookOutcome | undefined> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      reply(res, 405, 'method not allowed');
      return undefined;
    }
    let body: Buffer;
    try {
      body = rawBody ?? (await readBody(req));
    } catch (e) {
      reply(res, e instanceof TooLarge ? 413 : 400, e instanceof TooLarge ? 'too large' : 'unreadable body');
      return 'malformed';
    }
    const header = req.headers['x-pagerduty-signature'];
    if (!verifyWebhookSignature(body, Array.isArray(header) ? header.join(',') : header, opts.secrets)) {
      reply(res, 401, 'unauthorized');
      return 'unauthorized';
    }
    let event: ReturnType<typeof parseWebhook>;
    try {
      event = parseWebhook(body);
    } catch (e) {
      if (!isCoded(e, ErrorCode.BadInput)) throw e;
      reply(res, 400, e.message);
      return 'malformed';
    }
    if (event.type === 'ignored') {
      reply(res, 200, 'ignored');
      return 'ignored';
    }
    if (opts.once) {
      try {
        const r = await opts.once.run(`pagerduty-event:${event.eventId}`, () => opts.onEvent(event), { keepMs: opts.keepMs ?? KEEP_MS });
        // Still held elsewhere (that replica may have died): 503, so PagerDuty retries and takes it over.
        if (!r.ran && r.busy) {
          reply(res, 503, 'busy');
          return 'failed';
        }
        reply(res, 200, r.ran ? 'handled' : 'duplicate');
        return r.ran ? 'handled' : 'duplicate';
      } catch (e) {
        opts.onError?.(e, event.eventId);
        reply(res, 500, 'failed');
        return 'failed';
      }
    }
    try {
      if (opts.dedupe && !(await opts.dedupe(event.eventId))) {
        reply(res, 200, 'duplicate');
        return 'duplicate';
      }
    } catch (e) {
      opts.onError?.(e, event.eventId);
      reply(res, 500, 'failed');
      return 'failed';
    }
    try {
      await opts.onEvent(event);
    } catch (e) {
      opts.onError?.(e, event.eventId);
      await opts.release?.(event.eventId).catch((err) => opts.onError?.(err, event.eventId));
      reply(res, 500, 'failed');
      return 'failed';
    }
    reply(res, 200, 'handled');
    return 'handled';
  };
}
