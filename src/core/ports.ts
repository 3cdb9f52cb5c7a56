/** The ports the core talks through. Adapters (store/, slack/, pagerduty/, executors/) implement them. */
import type { Incident, IncidentPatch, NewIncident } from './incidents/incident.js';
import type { NewEvent, TimelineEvent } from './incidents/timeline.js';
import type { Effect, NewEffect } from './effects.js';

export type { RunStore, Escalator, EscalationContext } from './runs/ports.js';

/** Fields of a log line (ids, counts, the error as text). */
type LogFields = Record<string, unknown>;

/** The logger every part gets: fields first, then the message (src/log.ts builds it from pino). */
export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface IncidentStore {
  /**
   * Creates the incident, its first events and its effects atomically. With `duplicateSince`, the
   * `findRecentDuplicate` check runs inside the creating transaction (serialized with other
   * creates, so two replicas cannot both create) and a duplicate throws CodedError(conflict) with
   * `details.incidentId`.
   */
  create(input: NewIncident, events: NewEvent[], effects: NewEffect[], options?: { duplicateSince?: Date }): Promise<Incident>;
  get(id: number): Promise<Incident | undefined>;
  findByThread(channel: string, threadTs: string): Promise<Incident | undefined>;
  /** Same opener, source channel and title (case-insensitive) opened at or after `since`. */
  findRecentDuplicate(openedBy: string, sourceChannel: string, title: string, since: Date): Promise<Incident | undefined>;
  listOpen(): Promise<Incident[]>;
  /** Incidents opened, resolved or still open in [since, until). */
  listBetween(since: Date, until: Date): Promise<Incident[]>;
  /**
   * Applies a patch if the stored version still equals `expectedVersion`, atomically with its
   * events and effects; returns the new incident. Throws CodedError(conflict) otherwise.
   */
  change(id: number, expectedVersion: number, patch: IncidentPatch, events: NewEvent[], effects: NewEffect[]): Promise<Incident>;
  events(incidentId: number): Promise<TimelineEvent[]>;
  /** Appends events and effects without changing the incident (notes, runs, pages). */
  record(incidentId: number, events: NewEvent[], effects: NewEffect[]): Promise<void>;
  /** Idempotency: true the first time a key is claimed, false ever after. */
  claim(key: string, at: Date): Promise<boolean>;
}

export interface Outbox {
  /**
   * Claims up to `limit` due effects: the oldest pending effect of each (incident, target) queue
   * whose nextAttemptAt <= now, so effects of one incident are delivered in order.
   */
  claimDue(now: Date, limit: number): Promise<Effect[]>;
  markDone(id: number): Promise<void>;
  /** Retry at `retryAt`, or give up (state failed) when retryAt is null. */
  markFailed(id: number, error: string, retryAt: Date | null): Promise<void>;
  /** Pending and failed effects of an incident (for the card's "PagerDuty: pending" line). */
  forIncident(incidentId: number): Promise<Effect[]>;
}

/** Delivers chat effects (cards, thread lines). Implemented by the Slack adapter. */
export interface ChatNotifier {
  /** Returns the card's ts when it posted the card for the first time. */
  deliver(effect: Effect, incident: Incident): Promise<{ cardTs?: string } | void>;
}

export interface PagerRef {
  id: string;
  url: string;
}

export interface OnCallEntry {
  policy: string;
  level: number;
  user: string;
  email?: string;
  start?: Date;
  end?: Date;
}

/** Delivers pager effects and answers on-call questions. Implemented by the PagerDuty adapter. */
export interface Pager {
  readonly enabled: boolean;
  deliver(effect: Effect, incident: Incident): Promise<void>;
  onCall(service?: string): Promise<{ now: OnCallEntry[]; next: OnCallEntry[] }>;
}
