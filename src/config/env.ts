import { z } from 'zod';

const url = (name: string) =>
  z.string().url({ error: `${name} must be a URL, e.g. https://slack.com/api/` });

/** Environment settings. Every one is named in the README's configuration table. */
const EnvSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, { error: 'SLACK_BOT_TOKEN must be a bot token (xoxb-…)' }).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1, { error: 'SLACK_SIGNING_SECRET must not be empty' }).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, { error: 'SLACK_APP_TOKEN must be an app-level token (xapp-…)' }).optional(),
  SLACK_API_URL: url('SLACK_API_URL').default('https://slack.com/api/'),
  OPSROOM_INCIDENT_CHANNEL: z.string().regex(/^[CG][A-Z0-9]+$/, { error: 'OPSROOM_INCIDENT_CHANNEL must be a channel ID like C0123ABCD' }).optional(),
  OPSROOM_CONFIG: z.string().default('opsroom.yml'),
  OPSROOM_RUNBOOKS: z.string().default('runbooks'),
  OPSROOM_INVENTORY: z.string().default('inventory.yml'),
  OPSROOM_HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number({ error: 'PORT must be a number' }).int().min(0).max(65535, { error: 'PORT must be 0-65535' }).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, { error: 'DATABASE_URL must be sqlite:<path> or postgres://…' })
    .default('sqlite:./data/opsroom.db'),
  PAGERDUTY_TOKEN: z.string().optional(),
  PAGERDUTY_API_URL: url('PAGERDUTY_API_URL').default('https://api.pagerduty.com'),
  PAGERDUTY_FROM: z.string().email({ error: 'PAGERDUTY_FROM must be an email address' }).optional(),
  PAGERDUTY_SERVICE_ID: z.string().optional(),
  PAGERDUTY_WEBHOOK_SECRET: z.string().optional(),
  /** Bearer token(s) Alertmanager and Grafana send to /alerts/*; comma-separated during rotation. Unset: the endpoints answer 404. */
  OPSROOM_ALERTS_TOKEN: z.string().optional(),
  OPSROOM_SECRET_KEY: z.string().min(16, { error: 'OPSROOM_SECRET_KEY must be at least 16 characters' }).optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/** Thrown with one line that names the setting and says what is expected. */
export class ConfigError extends Error {
  name = 'ConfigError';
}

export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(cleaned);
  if (!r.success) {
    const issue = r.error.issues[0];
    const name = String(issue.path[0] ?? '');
    throw new ConfigError(issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`);
  }
  const e = r.data;
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new ConfigError('SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (e.SLACK_BOT_TOKEN && !e.OPSROOM_INCIDENT_CHANNEL) {
    throw new ConfigError('OPSROOM_INCIDENT_CHANNEL is required with SLACK_BOT_TOKEN: the ID of the incidents channel, e.g. C0123ABCD');
  }
  if (e.PAGERDUTY_TOKEN && !e.PAGERDUTY_FROM) {
    throw new ConfigError('PAGERDUTY_FROM is required with PAGERDUTY_TOKEN: the email of a PagerDuty user, sent as the From header');
  }
  return e;
}
