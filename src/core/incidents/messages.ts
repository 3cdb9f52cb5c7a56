/**
 * Messages on an incident's timeline: what people say in its thread (kind `message`) and the
 * messages someone chose to keep there (kind `timeline`). A message is one entry per incident,
 * keyed by its channel and ts, however often and by whichever way it arrives.
 */
import { CodedError, ErrorCode } from '../errors.js';
import type { Once } from '../once.js';
import type { Clock, IncidentStore } from '../ports.js';
import { incidentKey } from './incident.js';
import type { NewEvent, TimelineEvent } from './timeline.js';

/** The longest message text kept on the timeline; longer text is cut with an ellipsis. */
const MESSAGE_TEXT_MAX = 3000;

/** A chat message as the timeline keeps it: plain text, who wrote it, where it is. */
export interface ChatMessage {
  channel: string;
  ts: string;
  /** The thread it was posted in, when it is a reply. */
  threadTs?: string | null;
  /** Slack user id (or bot id) of its author. */
  author: string;
  text: string;
  permalink?: string | null;
}

export type MessageKind = 'message' | 'timeline';

export interface AddOptions {
  kind: MessageKind;
  /** Who put it on the timeline: the author for `message`, the person who added it for `timeline`. */
  actor: string;
  /** A line for the incident's thread (a message from elsewhere is announced there). */
  threadLine?: string;
}

export type AddResult = { added: true } | { added: false; existing?: TimelineEvent };

/** What records an event (IncidentService.record: scrubbed, with an optional thread line). */
interface EventRecorder {
  record(incidentId: number, event: NewEvent, threadText?: string): Promise<void>;
}

export interface TimelineMessagesDeps {
  incidents: EventRecorder;
  store: IncidentStore;
  clock: Clock;
  once: Once;
}

/** Cuts text to `max` characters, ending with an ellipsis when it was longer. */
function clipText(text: string, max = MESSAGE_TEXT_MAX): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
}

/** Whether `e` is the timeline entry of the message at `channel`/`ts`. */
function isEntryOf(e: TimelineEvent, channel: string, ts: string): boolean {
  return (e.kind === 'message' || e.kind === 'timeline') && e.data?.channel === channel && e.data?.ts === ts;
}

/** The timeline event for a message (also used when an incident is declared from one). */
export function messageEvent(msg: ChatMessage, kind: MessageKind, actor: string, at: Date): NewEvent {
  const saidAt = Number(msg.ts);
  return {
    at, actor, kind, text: clipText(msg.text) || '(no text)',
    data: {
      channel: msg.channel, ts: msg.ts, threadTs: msg.threadTs ?? null, author: msg.author, permalink: msg.permalink ?? null,
      ...(Number.isFinite(saidAt) ? { saidAt: new Date(saidAt * 1000).toISOString() } : {}),
    },
  };
}

export class TimelineMessages {
  constructor(private readonly deps: TimelineMessagesDeps) {}

  /** Puts `msg` on the incident's timeline unless it is there already. */
  async add(incidentId: number, msg: ChatMessage, opts: AddOptions): Promise<AddResult> {
    const { store, once, incidents, clock } = this.deps;
    const key = `timeline-message:${incidentId}:${msg.channel}:${msg.ts}`;
    const r = await once.run(key, async (): Promise<AddResult> => {
      const existing = (await store.events(incidentId)).find((e) => isEntryOf(e, msg.channel, msg.ts));
      if (existing) return { added: false, existing };
      await incidents.record(incidentId, messageEvent(msg, opts.kind, opts.actor, clock.now()), opts.threadLine);
      return { added: true };
    });
    if (r.ran) return r.value;
    if (r.busy) throw new CodedError(ErrorCode.Unavailable, `That message is being added to ${incidentKey(incidentId)} right now; try again in a moment.`);
    return { added: false };
  }
}
