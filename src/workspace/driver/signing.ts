// Signs and sends requests the way Slack sends them to an app.
import { createHmac } from 'node:crypto';

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. */
export function slackSignature(secret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type RawRequest = {
  url: string;
  body: string;
  contentType?: string;
  /** signing secret; omit `secret` and `signature` to send an unsigned request */
  secret?: string;
  /** seconds since the epoch; default now */
  timestamp?: number;
  /** overrides the computed signature */
  signature?: string;
  /** extra headers (e.g. x-slack-retry-num); a header set to null is removed */
  headers?: Record<string, string | null>;
};

/** The app's answer; over Socket Mode `status` is 200 on ack (0 without one), `json` the ack's payload. */
export type AppAnswer = { status: number; body: string; json?: any; headers: Record<string, string>; durationMs: number; envelopeId?: string };

export async function sendToApp(r: RawRequest): Promise<AppAnswer> {
  const timestamp = r.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': r.contentType ?? 'application/x-www-form-urlencoded', 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' };
  if (r.secret !== undefined || r.signature !== undefined) {
    headers['x-slack-request-timestamp'] = String(timestamp);
    headers['x-slack-signature'] = r.signature ?? slackSignature(r.secret ?? '', timestamp, r.body);
  }
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    if (v === null) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = v;
  }
  const started = Date.now();
  const res = await fetch(r.url, { method: 'POST', headers, body: r.body });
  const body = await res.text();
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body, json, headers: Object.fromEntries(res.headers), durationMs: Date.now() - started };
}
