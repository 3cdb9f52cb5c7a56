import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream } from 'pino';
import type { Logger } from '#core/ports.js';
import { credentialValues, knownSecrets } from '#core/runs/known-secrets.js';

export type { Logger };

/**
 * Ids of the work in progress (requestId, incidentId, runId…): every log line written inside
 * `logContext.run({ requestId }, fn)` carries them.
 */
export const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Credentials that may hide inside free text (error messages, URLs, command lines). */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/\b(Bearer|Token token=)\s*[^\s"',]+/gi, '$1 [redacted]'],
  [/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1[redacted]@'],
  [/\b(password|passwd|secret|token|api[_-]?key)(["']?\s*[=:]\s*["']?)[^\s"'&,]+/gi, '$1$2[redacted]'],
];

/** Known secret values in any encoded form (core/runs/known-secrets.ts), then credential shapes. */
function scrub(text: string): string {
  return SECRET_PATTERNS.reduce((t, [re, to]) => t.replace(re, to), knownSecrets.valuesRedactor().redact(text));
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]));
}

/** JSON logs on stdout (or `destination`); secrets never reach them. The one place a logger is made. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  knownSecrets.add(credentialValues(process.env));
  return pino({
    level,
    base: { app: 'opsroom' },
    mixin: () => ({ ...logContext.getStore() }), // a copy: pino writes into the object it gets
    formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
      },
    },
    redact: {
      paths: [
        'token', 'botToken', 'signingSecret', 'appToken', 'password', 'secret', '*.token', '*.password', '*.secret',
        'headers.authorization', 'headers["x-slack-signature"]', 'env.SLACK_BOT_TOKEN', 'env.SLACK_SIGNING_SECRET',
        'env.SLACK_APP_TOKEN', 'env.PAGERDUTY_TOKEN', 'env.PAGERDUTY_WEBHOOK_SECRET', 'env.DATABASE_URL', 'env.OPSROOM_ALERTS_TOKEN',
        'env.OPSROOM_SECRET_KEY', 'env.GITHUB_TOKEN',
      ],
      censor: '[redacted]',
    },
  }, destination);
}
