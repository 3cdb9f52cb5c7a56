/** HandoffChat over the Slack Web API: the summary in a channel or a direct message, the full text as a file when it does not fit. */
import type { WebClient } from '@slack/web-api';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { HandoffSummary } from '#core/handoffs/model.js';
import type { HandoffChat } from '#core/handoffs/ports.js';
import type { Logger } from '#core/ports.js';
import { toMarkdown } from '#core/handoffs/render.js';
import { handoffMessage } from './blocks/handoff.js';
import type { HandoffLine } from '#core/handoffs/lines.js';
import { renderHandoffLine } from './lines/handoffs.js';
import { opsroomLine } from './blocks/mrkdwn.js';

export class SlackHandoffChat implements HandoffChat {
  constructor(private readonly client: WebClient, private readonly log?: Logger) {}

  async post(channel: string, summary: HandoffSummary, handoffId: number) {
    return this.send(channel, summary, handoffId);
  }

  async direct(user: string, summary: HandoffSummary, handoffId: number) {
    const im = await this.client.conversations.open({ users: user });
    const channel = (im.channel as { id?: string } | undefined)?.id;
    if (!channel) throw new Error(`no direct message channel with ${user}`);
    return this.send(channel, summary, handoffId);
  }

  async say(channel: string, line: HandoffLine, threadTs?: string) {
    await this.client.chat.postMessage({ channel, text: opsroomLine(renderHandoffLine(line)), ...(threadTs ? { thread_ts: threadTs } : {}) });
  }

  private async send(channel: string, summary: HandoffSummary, handoffId: number) {
    const msg = handoffMessage(summary, { acceptFor: handoffId, fullText: 'file' });
    const r = await this.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, unfurl_links: false }).catch((e: unknown) => {
      const code = (e as { data?: { error?: string } }).data?.error;
      if (code) throw new CodedError(ErrorCode.Unavailable, `Slack refused the handoff in <#${channel}>: ${code}${code === 'not_in_channel' ? ' (invite opsroom to the channel)' : ''}.`);
      throw e;
    });
    const ts = r.ts as string;
    const posted = { channel: (r.channel as string | undefined) ?? channel, ts };
    if (msg.omitted) {
      const day = summary.window.until.toISOString().slice(0, 16).replace(':', '');
      await this.client.files
        .uploadV2({
          channel_id: posted.channel, thread_ts: ts, filename: `handoff-${day}.md`, title: `Handoff ${day} (full)`,
          content: toMarkdown(summary),
        })
        .catch((e: unknown) => this.log?.warn({ error: String(e) }, 'handoff full-text upload failed'));
    }
    return posted;
  }
}
