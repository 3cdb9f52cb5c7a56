/** A person by the name someone typed (`carol`, `@carol`, `Carol Chen`), through users.list. */
import type { WebClient } from '@slack/web-api';

interface Member {
  id?: string;
  name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  real_name?: string;
  profile?: { display_name?: string; real_name?: string };
}

const norm = (s: string | undefined) => (s ?? '').trim().replace(/^@/, '').toLowerCase();

/** The id of the one active person whose handle, display name or real name is `typed`; else undefined. */
export async function findUser(client: WebClient, typed: string): Promise<string | undefined> {
  const wanted = norm(typed);
  if (!wanted) return undefined;
  const byHandle: string[] = [];
  const byName: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    for (const m of (r.members ?? []) as Member[]) {
      if (!m.id || m.deleted || m.is_bot) continue;
      if (norm(m.name) === wanted) byHandle.push(m.id);
      else if ([m.profile?.display_name, m.real_name, m.profile?.real_name].some((n) => norm(n) === wanted)) byName.push(m.id);
    }
    cursor = r.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  if (byHandle.length === 1) return byHandle[0];
  const names = [...new Set(byName)];
  return byHandle.length === 0 && names.length === 1 ? names[0] : undefined;
}
