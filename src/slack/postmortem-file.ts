/**
 * Delivers a `postmortem` effect: the incident's postmortem draft, built now, as a Markdown file in
 * its thread. The file's title names the request, so a retry after an upload that reached Slack
 * finds that file and posts nothing.
 */
import type { WebClient } from '@slack/web-api';
import type { Effect } from '#core/effects.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { postmortemFileName, type PostmortemService } from '#core/postmortem/service.js';
import { toDeliveryError } from './errors.js';

const postmortemTitle = (incidentId: number, effectId: number) => `${incidentKey(incidentId)} postmortem draft (request ${effectId})`;

type Listed = { files?: Array<{ title?: string }> };

/** Is a file with this title in the thread since `since`? Reads at most `pages` pages of 200. */
async function fileInThread(client: WebClient, channel: string, threadTs: string, title: string, since: Date, pages = 5): Promise<boolean> {
  const oldest = String(Math.floor(since.getTime() / 1000) - 60);
  let cursor: string | undefined;
  for (let n = 0; n < pages; n++) {
    const r = await client.conversations.replies({ channel, ts: threadTs, oldest, limit: 200, ...(cursor ? { cursor } : {}) });
    if ((r.messages as Listed[] | undefined)?.some((m) => m.files?.some((f) => f.title === title))) return true;
    cursor = r.response_metadata?.next_cursor || undefined;
    if (!cursor) return false;
  }
  return false;
}

/** Display names of people, from Slack (users.info); unknown ones are left out. */
async function namesOf(client: WebClient, users: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(users.map(async (user) => {
    const r = await client.users.info({ user }).catch(() => undefined);
    const p = r?.user as { name?: string; real_name?: string; profile?: { display_name?: string } } | undefined;
    const name = p?.profile?.display_name || p?.real_name || p?.name;
    if (name) out[user] = name;
  }));
  return out;
}

export async function postPostmortem(client: WebClient, service: PostmortemService, effect: Effect, incident: Incident): Promise<void> {
  if (effect.payload.type !== 'postmortem') throw new Error(`not a postmortem effect: ${effect.payload.type}`);
  const by = effect.payload.by;
  try {
    if (!incident.cardTs) throw new Error('the card is not posted yet');
    const title = postmortemTitle(incident.id, effect.id);
    if (effect.attempts > 0 && (await fileInThread(client, incident.channel, incident.cardTs, title, effect.createdAt))) return;
    const content = await service.render(incident.id, 'md', { names: (users) => namesOf(client, users) });
    await client.filesUploadV2({
      channel_id: incident.channel, thread_ts: incident.cardTs, filename: postmortemFileName(incident.id), title, content,
      initial_comment: `:memo: Postmortem draft of *${incidentKey(incident.id)}*, asked for by <@${by}>. Download it, fill in causes, what went well and lessons.`,
    });
  } catch (e) {
    throw toDeliveryError(e);
  }
}
