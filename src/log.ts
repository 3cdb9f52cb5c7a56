import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; secrets never reach them. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'opsroom' },
    redact: {
      paths: ['token', 'botToken', 'signingSecret', '*.token', '*.password', 'headers.authorization', 'env.SLACK_BOT_TOKEN', 'env.SLACK_SIGNING_SECRET', 'env.PAGERDUTY_TOKEN'],
      censor: '[redacted]',
    },
  });
}
