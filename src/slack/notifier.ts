import type { WebClient } from '@slack/web-api';
import type { Effect } from '#core/effects.js';
import type { FollowUp } from '#core/followups/model.js';
import type { Incident } from '#core/incidents/incident.js';
import type { Severity } from '#core/incidents/severity.js';
import type { ChatNotifier, Clock, Outbox } from '#core/ports.js';
import type { SystemRouting } from '#core/systems/routing.js';
import { cardText, incidentCard } from './blocks/card.js';
import { opsroomLine } from './blocks/mrkdwn.js';
import { monitoringOffer } from './blocks/recovery.js';
import { toDeliveryError } from './errors.js';
import { noticeText, payloadText } from './lines/index.js';
import { pagerLine } from './pager-line.js';
import { CardPosted } from './card-posted.js';
import { cardKey, findPosted, lineKey } from './posted.js';

export interface SlackNotifierDeps {
  client: WebClient;
  severities: readonly Severity[];
  clock: Clock;
  outbox: Outbox;
  pagerEnabled: boolean;
  /** Systems: the team's names for levels on the card. */
  routing?: SystemRouting;
  /** Looks up the incident's PagerDuty link, when there is one. */
  pagerLink?: (incidentId: number) => Promise<{ url: string } | undefined>;
  /** An incident's follow-ups (the card lists the open ones). */
  followUps?: (incidentId: number) => Promise<readonly FollowUp[]>;
}

/** Delivers one kind of effect; `next` is the notifier's own delivery of it. */
export type DeliveryHandler = (effect: Effect, incident: Incident, next: () => Promise<{ cardTs?: string } | void>) => Promise<{ cardTs?: string } | void>;

/** Posts and edits incident cards and thread lines. Errors become retry decisions. */
export class SlackNotifier implements ChatNotifier {
  private readonly handlers = new Map<string, DeliveryHandler>();

  constructor(private readonly deps: SlackNotifierDeps) {}

  /** Effects of this kind go through `handler` (postmortem files, run cards); one handler per kind. */
  on(kind: Effect['payload']['type'], handler: DeliveryHandler): this {
    if (this.handlers.has(kind)) throw new Error(`effects of kind ${kind} already have a handler`);
    this.handlers.set(kind, handler);
    return this;
  }

  async deliver(effect: Effect, incident: Incident): Promise<{ cardTs?: string } | void> {
    const handler = this.handlers.get(effect.payload.type);
    return handler ? handler(effect, incident, () => this.own(effect, incident)) : this.own(effect, incident);
  }

  private async own(effect: Effect, incident: Incident): Promise<{ cardTs?: string } | void> {
    try {
      if (effect.payload.type === 'card') return await this.card(incident, effect);
      if (effect.payload.type === 'thread') {
        if (!incident.cardTs) throw new Error('the card is not posted yet');
        // A retry may follow an attempt that reached Slack: post only if that line is not there.
        if (effect.attempts > 0 && (await findPosted(this.deps.client, { channel: incident.channel, threadTs: incident.cardTs }, lineKey(effect), effect.createdAt))) return;
        const text = opsroomLine(payloadText(effect.payload));
        await this.deps.client.chat.postMessage({
          metadata: lineKey(effect),
          channel: incident.channel, thread_ts: incident.cardTs, text, unfurl_links: false,
          ...(effect.payload.offer === 'monitoring' ? { blocks: monitoringOffer(text, incident.id) } : {}),
        });
        return;
      }
      if (effect.payload.type === 'notice') return await this.notice(incident, effect, effect.payload);
      throw new Error(`not a chat effect: ${effect.payload.type}`);
    } catch (e) {
      throw toDeliveryError(e);
    }
  }

  async renderCard(incident: Incident) {
    const effects = await this.deps.outbox.forIncident(incident.id);
    const link = await this.deps.pagerLink?.(incident.id);
    return incidentCard(incident, {
      severities: this.deps.severities,
      now: this.deps.clock.now(),
      pagerLine: pagerLine(this.deps.pagerEnabled, effects, link),
      escalate: this.deps.pagerEnabled,
      levelName: (level) => this.deps.routing?.severityLabel(level, incident.system) ?? level,
      followUps: (await this.deps.followUps?.(incident.id))?.filter((f) => !f.doneAt),
    });
  }

  /** A message in another channel (an announcement, a moved incident) with a link to the thread; posted once. */
  private async notice(incident: Incident, effect: Effect, p: { channel: string } & Parameters<typeof noticeText>[0]) {
    if (!incident.cardTs) throw new Error('the card is not posted yet');
    if (effect.attempts > 0 && (await findPosted(this.deps.client, { channel: p.channel }, lineKey(effect), effect.createdAt))) return;
    const link = await this.deps.client.chat.getPermalink({ channel: incident.channel, message_ts: incident.cardTs });
    const text = `${opsroomLine(noticeText(p))}${link.permalink ? ` <${link.permalink}|Open the thread>` : ''}`;
    await this.deps.client.chat.postMessage({ metadata: lineKey(effect), channel: p.channel, text, unfurl_links: false });
  }

  /** Told when an incident's card is first posted (the answer to `/incident open` links it). */
  readonly cards = new CardPosted();

  private async card(incident: Incident, effect: Effect) {
    const blocks = await this.renderCard(incident);
    const text = cardText(incident);
    if (incident.cardTs) {
      await this.deps.client.chat.update({ channel: incident.channel, ts: incident.cardTs, text, blocks });
      return;
    }
    // The card an interrupted earlier attempt posted is the card: found by its metadata, never posted twice.
    const posted = effect.attempts > 0 ? await findPosted(this.deps.client, { channel: incident.channel }, cardKey(incident.id), incident.createdAt) : undefined;
    if (posted) {
      await this.deps.client.chat.update({ channel: incident.channel, ts: posted, text, blocks });
      this.cards.posted(incident.id, posted);
      return { cardTs: posted };
    }
    const r = await this.deps.client.chat.postMessage({ channel: incident.channel, text, blocks, unfurl_links: false, metadata: cardKey(incident.id) });
    this.cards.posted(incident.id, r.ts as string);
    return { cardTs: r.ts as string };
  }
}
