// The Web API: auth, spec validation, failure injection, call log, then the method handler.
import { validateArgs } from '../spec/validate.js';
import { chat } from './chat.js';
import { type ApiContext, type Args, type Handler, SlackApiError } from './context.js';
import { conversations } from './conversations.js';
import { files } from './files.js';
import { views } from './views.js';

const handlers: Record<string, Handler> = { ...chat, ...conversations, ...views, ...files };

export type Failure = { status: number; retryAfter?: number; error?: string };
export type ApiCall = { method: string; args: Args; at: Date; status: number; response: unknown };
export type ApiAnswer = { status: number; body: unknown; headers?: Record<string, string> };

export class Failures {
  private next: { method: string; failure: Failure; times: number }[] = [];
  private all?: { until: number; failure: Failure };
  private slow: { method: string; ms: number; times: number }[] = [];

  failNext(method: string, failure: Failure, times = 1): void {
    this.next.push({ method, failure, times });
  }
  failAll(failure: Failure, ms: number): void {
    this.all = { until: Date.now() + ms, failure };
  }
  /** The next `times` calls of `method` ('*' for any) are handled `ms` later (a slow Slack), then as usual. */
  delayNext(method: string, ms: number, times = 1): void {
    this.slow.push({ method, ms, times });
  }
  clear(): void {
    this.next = [];
    this.all = undefined;
    this.slow = [];
  }
  /** How long this call waits before it is handled, 0 for at once. */
  delay(method: string): number {
    const rule = this.slow.find((r) => (r.method === method || r.method === '*') && r.times > 0);
    if (!rule) return 0;
    rule.times -= 1;
    if (rule.times === 0) this.slow.splice(this.slow.indexOf(rule), 1);
    return rule.ms;
  }
  /** The failure for this call, if one is due ('response_url' covers posts to response URLs). */
  take(method: string): Failure | undefined {
    if (this.all && Date.now() < this.all.until) return this.all.failure;
    const rule = this.next.find((r) => (r.method === method || r.method === '*') && r.times > 0);
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times === 0) this.next.splice(this.next.indexOf(rule), 1);
    return rule.failure;
  }
}

function failureAnswer(f: Failure): ApiAnswer {
  if (f.status === 429) return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(f.retryAfter ?? 1) } };
  if (f.status === 200) return { status: 200, body: { ok: false, error: f.error ?? 'fatal_error' } };
  return { status: f.status, body: { ok: false, error: f.error ?? 'fatal_error' }, headers: f.retryAfter ? { 'retry-after': String(f.retryAfter) } : {} };
}

export async function callApi(ctx: ApiContext, failures: Failures, method: string, args: Args, token: string | undefined, botToken: string): Promise<ApiAnswer> {
  const slow = failures.delay(method);
  if (slow) await new Promise((r) => setTimeout(r, slow));
  const failure = failures.take(method);
  if (failure) return failureAnswer(failure);
  if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
  if (token !== botToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
  const invalid = validateArgs(method, args);
  if (invalid) return { status: 200, body: invalid };
  const handler = handlers[method];
  if (!handler) {
    const messages = [`[WARN] ${method} exists in Slack's Web API but the local workspace does not implement it`];
    return { status: 200, body: { ok: false, error: 'unknown_method', response_metadata: { messages } } };
  }
  try {
    const result = await handler(args, ctx);
    return { status: 200, body: { ok: true, ...result } };
  } catch (e) {
    if (e instanceof SlackApiError) {
      return { status: 200, body: { ok: false, error: e.error, ...(e.messages ? { response_metadata: { messages: e.messages } } : {}) } };
    }
    return { status: 200, body: { ok: false, error: 'internal_error', response_metadata: { messages: [`[ERROR] ${(e as Error).message}`] } } };
  }
}
