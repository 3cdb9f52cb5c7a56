import { serve } from '#src/serve.js';

export const summary = 'run the bot (HTTP or Socket Mode; the local workspace without Slack credentials)';

export function main(): Promise<number> {
  return serve();
}
