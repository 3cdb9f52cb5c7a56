import https from 'node:https';
import { api } from '@pagerduty/pdjs';
import { DeliveryError } from '#core/effects.js';
import type { PagerDutySettings } from './settings.js';

export type Query = Record<string, string | string[]>;

/** A failed PagerDuty call. Still a DeliveryError, so the dispatcher can read `retryable`. */
export class PagerDutyError extends DeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    retryAfterMs?: number,
    readonly status?: number,
    readonly details: string[] = [],
  ) {
    super(message, retryable, retryAfterMs);
    this.name = 'PagerDutyError';
  }
}

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  data?: unknown;
}
const isResponse = (x: unknown): x is ResponseLike =>
  typeof x === 'object' && x !== null && typeof (x as ResponseLike).status === 'number' && 'headers' in x;

/** Milliseconds to wait after a 429: Retry-After (seconds or date), else RateLimit-Reset (seconds). */
function retryAfterMs(headers: ResponseLike['headers'], now = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.ceil(Number(reset) * 1000);
  return undefined;
}

function errorText(data: unknown): { message?: string; details: string[] } {
  const err = (data as { error?: { message?: unknown; errors?: unknown } } | undefined)?.error;
  if (!err || typeof err !== 'object') return { details: [] };
  const details = Array.isArray(err.errors) ? err.errors.filter((e): e is string => typeof e === 'string') : [];
  return { message: typeof err.message === 'string' ? err.message : undefined, details };
}

/**
 * The REST calls opsroom makes, through pdjs. pdjs always builds `https://<server>/...`, so every
 * call passes a full `url`; its own 30 s timer is switched off (`requestTimeout: 0`) and an
 * AbortSignal bounds the call instead. pdjs's page walker only works on `*.com` hosts, so `list`
 * walks offset/more pages itself.
 */
export class PagerDutyClient {
  private readonly base: string;
  private readonly agent?: https.Agent;

  constructor(private readonly settings: PagerDutySettings) {
    this.base = settings.apiUrl.replace(/\/+$/, '');
    if (settings.ca && this.base.startsWith('https:')) this.agent = new https.Agent({ ca: settings.ca, keepAlive: false });
  }

  async request<T = unknown>(method: 'GET' | 'POST' | 'PUT', path: string, opts: { query?: Query; body?: object } = {}): Promise<T> {
    const s = this.settings;
    let res: ResponseLike;
    try {
      res = (await api({
        url: `${this.base}${path}`,
        method,
        token: s.token,
        headers: { From: s.from },
        ...(opts.body ? { data: opts.body } : {}),
        ...(opts.query ? { queryParameters: opts.query } : {}),
        requestTimeout: 0,
        retryTimeout: s.rateLimitRetryMs,
        signal: AbortSignal.timeout(s.timeoutMs),
        ...(this.agent ? { agent: this.agent } : {}),
      } as Parameters<typeof api>[0])) as unknown as ResponseLike;
    } catch (e) {
      // pdjs rejects with the Response itself when the body is not JSON (a proxy's 502 page).
      if (isResponse(e)) res = e;
      else throw this.networkError(method, path, e);
    }
    if (res.status >= 200 && res.status < 300) return res.data as T;
    throw this.httpError(method, path, res);
  }

  /** All items of an offset-paginated list (`key` is the array's name, e.g. `oncalls`). */
  async list<T>(path: string, key: string, query: Query = {}, maxPages = 50): Promise<T[]> {
    const items: T[] = [];
    const limit = 100;
    for (let page = 0, offset = 0; page < maxPages; page++) {
      const data = await this.request<Record<string, unknown>>('GET', path, {
        query: { ...query, limit: String(limit), offset: String(offset) },
      });
      const batch = Array.isArray(data?.[key]) ? (data[key] as T[]) : [];
      items.push(...batch);
      if (data?.more !== true || batch.length === 0) return items;
      offset += batch.length;
    }
    return items;
  }

  private networkError(method: string, path: string, e: unknown): PagerDutyError {
    const err = e as { name?: string; message?: string; code?: string };
    if (err?.name === 'AbortError' || err?.name === 'TimeoutError') {
      return new PagerDutyError(`PagerDuty did not answer ${method} ${path} within ${this.settings.timeoutMs / 1000} s`, true);
    }
    return new PagerDutyError(`PagerDuty unreachable (${method} ${path}): ${err?.code ?? err?.message ?? String(e)}`, true);
  }

  private httpError(method: string, path: string, res: ResponseLike): PagerDutyError {
    const { message, details } = errorText(res.data);
    const why = [message, ...details].filter(Boolean).join(': ') || 'no details';
    const text = `PagerDuty answered ${res.status} to ${method} ${path}: ${why}`;
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers) ?? this.settings.defaultRateLimitBackoffMs;
      return new PagerDutyError(text, true, wait, 429, details);
    }
    const retryable = res.status >= 500 || res.status === 408;
    return new PagerDutyError(text, retryable, undefined, res.status, details);
  }
}
