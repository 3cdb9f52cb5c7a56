/** Handoff use-cases: summaries, notes, posts, acceptance, reminders and the shift-change schedule. */
import { CodedError, ErrorCode, isCoded } from '../errors.js';
import { person } from '../said.js';
import type { IncidentService } from '../incidents/service.js';
import type { Severity } from '../incidents/severity.js';
import type { Clock, IncidentStore, Logger, OnCallEntry, Pager } from '../ports.js';
import { buildSummary, checksSection, openAt, SUMMARY_EVENT_KINDS } from './build.js';
import type { HandoffConfig } from './config.js';
import type { FollowUpItem, HandoffSummary } from './model.js';
import type { HandoffChat, HandoffChecks, HandoffStore, OnCallPair, PostedHandoff } from './ports.js';
import { shiftAround, shiftIndex, upToNow, type ShiftWindow } from './window.js';
import { scrubDeep, scrubTyped } from '../runs/known-secrets.js';
import { postSystemParts, type SystemHandoffChannel } from '../systems/handoff.js';

interface Leases {
  tryLease(name: string, owner: string, until: Date, now: Date): Promise<boolean>;
}

export interface HandoffServiceDeps {
  incidents: IncidentStore;
  handoffs: HandoffStore;
  clock: Clock;
  severities: readonly Severity[];
  config: HandoffConfig;
  /** Where handoffs are posted. */
  channel: string;
  pager?: Pager;
  checks?: HandoffChecks;
  chat?: HandoffChat;
  /** To make the new on-call commander (moveCommanders). */
  incidentService?: IncidentService;
  leases?: Leases;
  instanceId?: string;
  log?: Logger;
  /** Systems with their own handoff channel: each gets the part about its incidents too. */
  systemChannels?: readonly SystemHandoffChannel[];
  /** Responders may accept a handoff meant for someone else (default: nobody may). */
  isResponder?: (user: string) => Promise<boolean>;
  /** Open follow-ups of the incidents in the summary. */
  followUps?: { openFor(incidentIds: readonly number[]): Promise<Array<FollowUpItem & { incidentId: number }>> };
  /** Runbooks that broke in the window and are still broken (core/verify freshness). */
  brokenRunbooks?: (since: Date, until: Date) => Promise<NonNullable<HandoffSummary['brokenRunbooks']>>;
}

const NOTE_MAX = 2000;
const LEASE_MS = 120_000;

/** A shift: its window and the key a scheduled post is stored under. */
export interface ShiftChange {
  key: string;
  window: ShiftWindow;
}

export class HandoffService {
  constructor(private readonly d: HandoffServiceDeps) {}

  get config() {
    return this.d.config;
  }

  private now() {
    return this.d.clock.now();
  }

  private usePager() {
    return Boolean(this.d.config.pagerduty && this.d.pager?.enabled);
  }

  /** The first-level on-call entries now and next, or undefined when PagerDuty is not used or fails. */
  private async pagerOnCall(): Promise<{ now: OnCallEntry[]; next: OnCallEntry[] } | undefined> {
    if (!this.usePager()) return undefined;
    try {
      const r = await this.d.pager!.onCall();
      // One escalation policy defines the shift: the configured one, else the first with scheduled periods.
      const policy = this.d.config.pagerdutyPolicy ?? (r.now.find((e) => e.start) ?? r.now[0])?.policy;
      const first = (l: OnCallEntry[]) => {
        const mine = l.filter((e) => e.policy === policy);
        return mine.filter((e) => e.level === Math.min(...mine.map((x) => x.level)));
      };
      return { now: first(r.now), next: first(r.next) };
    } catch (e) {
      this.d.log?.warn({ error: String(e) }, 'on-call lookup failed');
      return undefined;
    }
  }

  /** The current shift so far: PagerDuty on-call period, else configured shift times, else the last N hours. */
  async currentWindow(): Promise<ShiftWindow> {
    const now = this.now();
    const pd = await this.pagerOnCall();
    const start = pd?.now.find((e) => e.start)?.start;
    if (start && start.getTime() <= now.getTime()) return { since: start, until: upToNow(now), source: 'pagerduty' };
    const { shifts, timeZone, defaultHours } = this.d.config;
    if (shifts) return { since: shiftAround(now, shifts, timeZone).start, until: upToNow(now), source: 'shifts' };
    return { since: new Date(now.getTime() - defaultHours * 3_600_000), until: upToNow(now), source: 'default' };
  }

  /** The shift that ended at the latest shift change before now (what a scheduled post covers). */
  async lastShiftChange(): Promise<ShiftChange | undefined> {
    const now = this.now();
    const { shifts, timeZone } = this.d.config;
    if (shifts) {
      const s = shiftAround(now, shifts, timeZone);
      return { key: `shift:${s.start.toISOString()}`, window: { since: s.previousStart, until: s.start, source: 'shifts' } };
    }
    const pd = await this.pagerOnCall();
    const cur = pd?.now.find((e) => e.start && e.end);
    if (!cur) return undefined;
    // The previous period is not in the on-call answer: the last scheduled handoff's end, else one period back.
    const start = cur.start!;
    const previous = await this.d.handoffs.previousShiftHandoff(start);
    const since = previous && start.getTime() - previous.until.getTime() < 2 * 86_400_000
      ? previous.until
      : new Date(start.getTime() - (cur.end!.getTime() - start.getTime()));
    return { key: `shift:${start.toISOString()}`, window: { since, until: start, source: 'pagerduty' } };
  }

  /** Outgoing and incoming on-call. `atChange`: the shift just changed (incoming is on call now). */
  async onCall(window: ShiftWindow, atChange: boolean): Promise<OnCallPair> {
    const pd = await this.pagerOnCall();
    const slackOf = (e: OnCallEntry) => (e.email && this.d.config.users[e.email]) || this.d.config.users[e.user] || e.user;
    if (pd) {
      const now = pd.now.map(slackOf);
      if (!atChange) return { outgoing: now, incoming: pd.next.map(slackOf), source: 'pagerduty' };
      const previous = await this.d.handoffs.previousShiftHandoff(window.until);
      return { outgoing: previous?.incoming ? [previous.incoming] : [], incoming: now, source: 'pagerduty' };
    }
    const { rotation, shifts, timeZone } = this.d.config;
    if (rotation.length && shifts) {
      const at = atChange ? window.until : this.now();
      const idx = shiftIndex(shiftAround(at, shifts, timeZone).start, shifts, timeZone);
      const who = (i: number) => [rotation[((i % rotation.length) + rotation.length) % rotation.length]];
      return atChange ? { outgoing: who(idx - 1), incoming: who(idx), source: 'rotation' } : { outgoing: who(idx), incoming: who(idx + 1), source: 'rotation' };
    }
    return { outgoing: [], incoming: [], source: 'none' };
  }

  /** The summary of a window, from stored state. `runChecks` runs the handoff checks runbook. */
  async summarize(window: ShiftWindow, opts: { runChecks?: boolean; atChange?: boolean } = {}): Promise<HandoffSummary> {
    if (window.since.getTime() >= window.until.getTime()) throw new CodedError(ErrorCode.BadInput, 'The start of the window must be before its end.');
    const { handoffs } = this.d;
    const incidents = await this.d.incidents.listBetween(window.since, window.until);
    const openIds = incidents.filter((i) => openAt(i, window.until)).map((i) => i.id);
    const [latestUpdates, approvals, unfinishedRuns, attempts, events, pages, notes, onCall] = await Promise.all([
      handoffs.latestEvents(openIds, ['update'], window.until),
      handoffs.pendingApprovals(openIds, window.until),
      handoffs.unfinishedRuns(openIds),
      handoffs.attemptsBetween(window.since, window.until),
      handoffs.eventsBetween(window.since, window.until, SUMMARY_EVENT_KINDS),
      handoffs.pagesBetween(window.since, window.until),
      handoffs.notesBetween(window.since, window.until),
      this.onCall(window, opts.atChange ?? false),
    ]);
    const summary = buildSummary({
      window, now: this.now(), severities: this.d.severities, incidents, latestUpdates, approvals, unfinishedRuns, attempts, events, pages, notes,
      checks: await this.runChecks(opts.runChecks ?? false), onCall,
    });
    const open = await this.d.followUps?.openFor([...new Set([...summary.open, ...summary.shift].map((i) => i.id))]);
    for (const item of [...summary.open, ...summary.shift]) {
      const mine = open?.filter((f) => f.incidentId === item.id).map((f) => ({ id: f.id, text: f.text, owner: f.owner }));
      if (mine?.length) item.followUps = mine;
    }
    const broken = await this.d.brokenRunbooks?.(window.since, window.until).catch(() => []);
    if (broken?.length) summary.brokenRunbooks = broken;
    // Everything a handoff shows passes the secret scrub once more (core/runs/known-secrets.ts).
    return scrubDeep(summary);
  }

  private async runChecks(run: boolean): Promise<HandoffSummary['checks']> {
    const id = this.d.config.checks;
    if (!id) return { state: 'not_configured' };
    if (!this.d.checks) return checksSection(id, undefined);
    if (!run) return { state: 'unavailable', runbookId: id, reason: 'the checks run when the handoff is posted' };
    try {
      return checksSection(id, await this.d.checks.run('opsroom'));
    } catch (e) {
      return checksSection(id, new Error(isCoded(e) ? e.message : String(e)));
    }
  }

  async note(author: string, text: string, incidentId: number | null = null) {
    const body = scrubTyped(text.trim());
    if (!body) throw new CodedError(ErrorCode.BadInput, 'The note is empty.');
    if (body.length > NOTE_MAX) throw new CodedError(ErrorCode.BadInput, `The note is ${body.length} characters; the limit is ${NOTE_MAX}.`);
    if (incidentId !== null && !(await this.d.incidents.get(incidentId))) throw new CodedError(ErrorCode.NotFound, `There is no INC-${incidentId}.`);
    return this.d.handoffs.addNote({ at: this.now(), author, text: body, incidentId });
  }

  /** Stores a handoff under a unique key; undefined when the key exists already. */
  private insert(key: string, summary: HandoffSummary, postedBy: string) {
    const incoming = summary.onCall.incoming.find((u) => /^[UW][A-Z0-9]+$/.test(u)) ?? null;
    return this.d.handoffs.insertHandoff({
      key, since: summary.window.since, until: summary.window.until, postedAt: this.now(), postedBy, channel: null, ts: null,
      incoming, dmChannel: null, dmTs: null, acceptedBy: null, acceptedAt: null, remindedAt: null, escalatedAt: null, headline: summary.headline,
    });
  }

  /** Posts a stored handoff in the handoff channel and sends the incoming on-call "Accept handoff". */
  private async deliver(stored: PostedHandoff, summary: HandoffSummary): Promise<PostedHandoff> {
    const chat = this.chat();
    const msg = await chat.post(this.d.channel, summary, stored.id);
    await this.d.handoffs.setMessages(stored.id, { channel: msg.channel, ts: msg.ts });
    await postSystemParts({ channels: this.d.systemChannels ?? [], incidents: this.d.incidents, chat, severities: this.d.severities, log: this.d.log }, summary, stored.id);
    let dm: { channel: string; ts: string } | undefined;
    if (stored.incoming) {
      dm = await chat.direct(stored.incoming, summary, stored.id).catch((e) => {
        this.d.log?.warn({ error: String(e) }, 'handoff direct message failed');
        return undefined;
      });
      if (dm) await this.d.handoffs.setMessages(stored.id, { dmChannel: dm.channel, dmTs: dm.ts });
    }
    return { ...stored, channel: msg.channel, ts: msg.ts, dmChannel: dm?.channel ?? null, dmTs: dm?.ts ?? null };
  }

  /** `/handoff post`: the current shift so far, posted now. */
  async postNow(actor: string, window?: ShiftWindow): Promise<PostedHandoff> {
    const w = window ?? (await this.currentWindow());
    const summary = await this.summarize(w, { runChecks: true });
    const stored = await this.insert(`manual:${this.now().getTime()}:${actor}`, summary, actor);
    if (!stored) throw new CodedError(ErrorCode.Conflict, 'You just posted a handoff; try again in a moment.');
    return this.deliver(stored, summary);
  }

  /**
   * The scheduler's step: at most once per shift change (unique key, and a lease so one replica
   * does the work), posts the summary of the shift that just ended; then reminds and escalates.
   */
  async tick(): Promise<PostedHandoff | undefined> {
    let posted: PostedHandoff | undefined;
    if (this.d.config.schedule) posted = await this.postShiftChange();
    await this.remindDue();
    return posted;
  }

  private async postShiftChange(): Promise<PostedHandoff | undefined> {
    const change = await this.lastShiftChange();
    const now = this.now();
    if (!change) return undefined;
    if (now.getTime() - change.window.until.getTime() > this.d.config.lateMinutes * 60_000) return undefined;
    if ((await this.d.handoffs.handoffByKey(change.key))?.ts) return undefined;
    // One replica at a time; a post that failed (or a process that died before posting) is retried
    // once the lease lapses. A crash between Slack's answer and storing its ts may post twice.
    const owner = this.d.instanceId ?? 'opsroom';
    if (this.d.leases && !(await this.d.leases.tryLease(`handoff:${change.key}`, owner, new Date(now.getTime() + LEASE_MS), now))) return undefined;
    const existing = await this.d.handoffs.handoffByKey(change.key);
    if (existing?.ts) return undefined;
    const summary = await this.summarize(change.window, { runChecks: true, atChange: true });
    const stored = existing ?? (await this.insert(change.key, summary, 'opsroom'));
    if (!stored) return undefined;
    return this.deliver(stored, summary);
  }

  findByMessage(channel: string, ts: string) {
    return this.d.handoffs.handoffByMessage(channel, ts);
  }

  /** Records the acceptance (once); optionally makes `user` commander of the open incidents. */
  async accept(h: PostedHandoff, user: string): Promise<{ accepted: boolean; moved: number[]; handoff: PostedHandoff }> {
    if (!h.acceptedBy && h.incoming && h.incoming !== user && !(await this.d.isResponder?.(user)))
      throw new CodedError(ErrorCode.Forbidden, `This handoff is for ${person(h.incoming)}; only they or a responder may accept it.`);
    const at = this.now();
    if (!(await this.d.handoffs.accept(h.id, user, at))) {
      const current = (await this.d.handoffs.handoffByKey(h.key)) ?? h;
      return { accepted: false, moved: [], handoff: current };
    }
    const moved: number[] = [];
    if (this.d.config.moveCommanders && this.d.incidentService) {
      for (const i of await this.d.incidents.listOpen()) {
        if (i.commander === user) continue;
        try {
          await this.d.incidentService.assign(i.id, user, user);
          moved.push(i.id);
        } catch (e) {
          this.d.log?.warn({ incidentId: i.id, error: String(e) }, 'handoff: commander not moved');
        }
      }
    }
    if (h.channel && h.ts && this.d.chat) {
      await this.d.chat.say(h.channel, { kind: 'handoff-accepted', user, moved }, h.ts).catch((e) => this.d.log?.warn({ error: String(e) }, 'handoff line failed'));
    }
    return { accepted: true, moved, handoff: { ...h, acceptedBy: user, acceptedAt: at } };
  }

  /** Not accepted in time: remind the incoming on-call, then escalate in the handoff channel. */
  async remindDue(): Promise<void> {
    const now = this.now();
    const { acceptMinutes, escalateMinutes, escalateTo } = this.d.config;
    const chat = this.d.chat;
    if (!chat) return;
    for (const h of await this.d.handoffs.unaccepted(new Date(now.getTime() - 2 * 86_400_000))) {
      if (!h.channel || !h.ts) continue;
      if (!h.remindedAt && now.getTime() - h.postedAt.getTime() >= acceptMinutes * 60_000) {
        if (!(await this.d.handoffs.markReminded(h.id, now))) continue;
        if (h.dmChannel) await chat.say(h.dmChannel, { kind: 'handoff-reminder', headline: h.headline }, h.dmTs ?? undefined).catch(() => {});
        await chat.say(h.channel, { kind: 'handoff-not-accepted', incoming: h.incoming, minutes: acceptMinutes }, h.ts);
      } else if (h.remindedAt && !h.escalatedAt && now.getTime() - h.remindedAt.getTime() >= escalateMinutes * 60_000) {
        if (!(await this.d.handoffs.markEscalated(h.id, now))) continue;
        await chat.say(h.channel, { kind: 'handoff-escalated', to: [...escalateTo], headline: h.headline, incoming: h.incoming, minutes: escalateMinutes }, h.ts);
      }
    }
  }

  private chat(): HandoffChat {
    if (!this.d.chat) throw new CodedError(ErrorCode.Unavailable, 'Posting handoffs needs Slack.');
    return this.d.chat;
  }
}
