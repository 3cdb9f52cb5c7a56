// The workspace's state: team, users, channels, messages, ephemerals, views, files.
// Plain data so it can be saved to and loaded from a JSON file.
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

type Obj = Record<string, any>;

export type User = { id: string; name: string; real_name: string; is_bot?: boolean; bot_id?: string };
export type Channel = { id: string; name: string; is_im?: boolean; user?: string; created: number; members: string[] };
export type Message = {
  type: 'message'; ts: string; channel: string; user: string; text: string;
  blocks?: Obj[]; attachments?: Obj[]; bot_id?: string; app_id?: string;
  thread_ts?: string; reply_count?: number; reply_users?: string[]; latest_reply?: string;
  edited?: { user: string; ts: string }; files?: Obj[]; subtype?: string; reactions?: Obj[];
  metadata?: Obj;
};
export type Ephemeral = Message & { ephemeral_for: string };
export type View = Obj & { id: string; type: 'modal' | 'home'; hash: string; user: string; root_view_id?: string; previous_view_id?: string | null };
export type FileRecord = { id: string; name: string; title: string; size: number; content?: string; user: string; created: number; mimetype: string };

export type StateData = {
  team: { id: string; name: string; domain: string };
  bot: { user_id: string; bot_id: string; app_id: string; name: string };
  users: User[];
  usergroups: Record<string, string[]>;
  channels: Channel[];
  messages: Message[];
  ephemerals: Ephemeral[];
  views: View[];
  /** view ids open as a modal stack for each user, bottom first */
  stacks: Record<string, string[]>;
  /** response_action errors shown on a view, by view id */
  viewErrors: Record<string, Record<string, string>>;
  files: FileRecord[];
  seq: number;
  lastTs: number;
};

export type SeedOptions = {
  incidentsChannel?: { id: string; name: string };
  /** More channels everyone is in (the systems' incidents and announcement channels of opsroom.yml). */
  channels?: { id: string; name: string }[];
  users?: { id: string; name: string; real_name?: string }[];
};

/**
 * Who may run and approve dangerous steps in the local workspace when opsroom.yml names nobody:
 * Alice and Bob (the on-call group) and Carol. Dave is the bystander, to try what is refused.
 */
export const LOCAL_RESPONDERS: readonly string[] = ['S0ONCALL', 'U0CAROL'];

/** The local workspace's on-call rotation when opsroom.yml has none: its four people, two shifts a day. */
export const LOCAL_ROTATION = { rotation: ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'], shifts: ['08:00', '20:00'] } as const;

export function seedState(opts: SeedOptions = {}): StateData {
  const people = [
    { id: 'U0ALICE', name: 'alice', real_name: 'Alice Adams' },
    { id: 'U0BOB', name: 'bob', real_name: 'Bob Brown' },
    { id: 'U0CAROL', name: 'carol', real_name: 'Carol Chen' },
    { id: 'U0DAVE', name: 'dave', real_name: 'Dave Diaz' },
    ...(opts.users ?? []).map((u) => ({ real_name: u.name, ...u })),
  ];
  const bot: StateData['bot'] = { user_id: 'U0OPSBOT', bot_id: 'B0OPSBOT', app_id: 'A0OPSROOM', name: 'opsroom' };
  const users: User[] = [...people, { id: bot.user_id, name: bot.name, real_name: 'opsroom', is_bot: true, bot_id: bot.bot_id }];
  const members = users.map((u) => u.id);
  const incidents = opts.incidentsChannel ?? { id: 'C0INCIDENTS', name: 'incidents' };
  const created = Math.floor(Date.now() / 1000);
  return {
    team: { id: 'T0LOCAL', name: 'opsroom local', domain: 'opsroom-local' },
    bot,
    users,
    usergroups: { S0ONCALL: ['U0ALICE', 'U0BOB'] },
    channels: [
      { ...incidents, created, members },
      { id: 'C0GENERAL', name: 'general', created, members },
      ...(opts.channels ?? []).filter((c) => c.id !== incidents.id && c.id !== 'C0GENERAL').map((c) => ({ ...c, created, members })),
    ],
    messages: [], ephemerals: [], views: [], stacks: {}, viewErrors: {}, files: [], seq: 0, lastTs: 0,
  };
}

export class State {
  data: StateData;
  private saveTimer?: NodeJS.Timeout;

  constructor(seed: SeedOptions, private readonly path?: string) {
    this.data = path && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StateData) : seedState(seed);
    // a saved workspace from an earlier configuration still gets the configured incidents channel
    const wanted = seed.incidentsChannel;
    if (wanted && !this.channel(wanted.id)) {
      this.data.channels.unshift({ ...wanted, created: Math.floor(Date.now() / 1000), members: this.data.users.map((u) => u.id) });
    }
    for (const c of seed.channels ?? []) {
      if (!this.channel(c.id)) this.data.channels.push({ ...c, created: Math.floor(Date.now() / 1000), members: this.data.users.map((u) => u.id) });
    }
  }

  /** A new message timestamp: unique and increasing, Slack's "seconds.micros" form. */
  nextTs(): string {
    const now = Date.now() * 1000;
    this.data.lastTs = Math.max(now, this.data.lastTs + 1);
    const s = String(this.data.lastTs);
    return `${s.slice(0, -6)}.${s.slice(-6)}`;
  }

  nextId(prefix: string): string {
    this.data.seq += 1;
    return `${prefix}${this.data.seq.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  user(id: string): User | undefined {
    return this.data.users.find((u) => u.id === id);
  }
  channel(id: string): Channel | undefined {
    return this.data.channels.find((c) => c.id === id);
  }
  message(channel: string, ts: string): Message | undefined {
    return this.data.messages.find((m) => m.channel === channel && m.ts === ts);
  }
  ephemeral(channel: string, ts: string): Ephemeral | undefined {
    return this.data.ephemerals.find((m) => m.channel === channel && m.ts === ts);
  }
  view(id: string): View | undefined {
    return this.data.views.find((v) => v.id === id);
  }

  /** The DM channel between the bot and a user, created on first use. */
  imWith(userId: string): Channel {
    const existing = this.data.channels.find((c) => c.is_im && c.user === userId);
    if (existing) return existing;
    const im: Channel = { id: `D${userId.slice(1)}`, name: userId, is_im: true, user: userId, created: Math.floor(Date.now() / 1000), members: [userId, this.data.bot.user_id] };
    this.data.channels.push(im);
    return im;
  }

  /** Schedules a save to the JSON file (when one is configured). */
  changed(): void {
    if (!this.path || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.path);
  }
}
