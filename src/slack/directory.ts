/** User groups resolved through Slack (usergroups.users.list), cached for a minute. */
import type { WebClient } from '@slack/web-api';
import type { Directory } from '#core/runs/permissions.js';

export class SlackDirectory implements Directory {
  private readonly cache = new Map<string, { at: number; users: readonly string[] }>();
  constructor(private readonly client: WebClient, private readonly ttlMs = 60_000) {}

  async membersOf(groupId: string): Promise<readonly string[]> {
    const hit = this.cache.get(groupId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.users;
    const r = await this.client.usergroups.users.list({ usergroup: groupId });
    const users = (r.users as string[] | undefined) ?? [];
    this.cache.set(groupId, { at: Date.now(), users });
    return users;
  }
}
