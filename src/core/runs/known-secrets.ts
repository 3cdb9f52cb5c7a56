/**
 * The secret values this process knows (configured ones at start-up, a run's secret parameters
 * when it starts or is unsealed), so text that enters or leaves anywhere — typed text, log
 * lines, the audit export — can be scrubbed of them without each caller carrying the list.
 * Values live in memory only.
 */
import { Redactor } from './redact.js';

class KnownSecrets {
  private readonly values = new Set<string>();
  private cached: Redactor | undefined;
  private cachedValues: Redactor | undefined;

  /** Adds values (empty and undefined ones are ignored). */
  add(values: Iterable<string | undefined>): void {
    for (const v of values) {
      if (!v || this.values.has(v)) continue;
      this.values.add(v);
      this.cached = undefined;
      this.cachedValues = undefined;
    }
  }

  list(): string[] {
    return [...this.values];
  }

  /** A redactor for every known value and the common credential patterns. */
  redactor(): Redactor {
    this.cached ??= new Redactor({ secrets: this.list() });
    return this.cached;
  }

  /** A redactor for the known values only (every form), no patterns. */
  valuesRedactor(): Redactor {
    this.cachedValues ??= new Redactor({ secrets: this.list(), patterns: false });
    return this.cachedValues;
  }
}

export const knownSecrets = new KnownSecrets();

/**
 * Text people type (updates, summaries, notes, titles, modal fields): configured secrets in any
 * form and well-known token shapes (Slack, PagerDuty, GitHub, AWS, private keys) are replaced by
 * [REDACTED] before the text is stored or posted.
 */
export const scrubTyped = (text: string): string => knownSecrets.redactor().redact(text);

/** The same on every string inside a value (objects and arrays are copied). */
export function scrubDeep<T>(value: T, scrub: (s: string) => string = scrubTyped, depth = 0): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1)) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Maps, class instances: as they are
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub, depth + 1)])) as T;
}

/** Environment variables whose values are always secrets (the bot's own credentials). */
const CREDENTIAL_ENV = [
  'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'PAGERDUTY_TOKEN', 'PAGERDUTY_WEBHOOK_SECRET', 'OPSROOM_SECRET_KEY',
  'OPSROOM_ALERTS_TOKEN', 'GITHUB_TOKEN',
] as const;

/** The bot's credential values in an environment: those of CREDENTIAL_ENV (comma lists split) and the database password. */
export function credentialValues(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of CREDENTIAL_ENV) {
    const v = env[name];
    if (!v) continue;
    out.push(v);
    if (v.includes(',')) out.push(...v.split(',').map((x) => x.trim()).filter(Boolean));
  }
  const db = /^[a-z]+:\/\/[^:/@]+:([^@]+)@/i.exec(env.DATABASE_URL ?? '');
  if (db) {
    out.push(db[1]);
    try {
      out.push(decodeURIComponent(db[1]));
    } catch { /* not percent-encoded */ }
  }
  return out;
}
