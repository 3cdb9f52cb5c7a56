/**
 * People's names for text read outside Slack: from Slack (users.info) with a bot token, else the
 * names opsroom.yml gives (`handoff.users`), else the local workspace's people.
 */
import { WebClient } from '@slack/web-api';
import type { FileConfig } from '#config/file.js';
import { clientOptions } from '#slack/app.js';
import { seedState } from '#workspace/state.js';

const USER_ID = /\b[UW][A-Z0-9]{2,}\b/g;

/** Every Slack user ID in a JSON-able value (the summary), once. */
export const userIdsIn = (value: unknown): string[] => [...new Set(JSON.stringify(value).match(USER_ID) ?? [])];

export async function peopleNames(ids: readonly string[], file: FileConfig, env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [name, id] of Object.entries(file.handoff.users)) if (!name.includes('@') && !names.has(id)) names.set(id, name);
  if (env.SLACK_BOT_TOKEN) {
    const client = new WebClient(env.SLACK_BOT_TOKEN, clientOptions(env.SLACK_API_URL ?? 'https://slack.com/api/'));
    await Promise.all(ids.map(async (user) => {
      const r = await client.users.info({ user }).catch(() => undefined);
      const p = r?.user as { real_name?: string; name?: string; profile?: { display_name?: string } } | undefined;
      const name = p?.profile?.display_name || p?.real_name || p?.name;
      if (name) names.set(user, name);
    }));
  } else {
    for (const u of seedState().users) if (!names.has(u.id) && !u.is_bot) names.set(u.id, u.real_name);
  }
  return names;
}
