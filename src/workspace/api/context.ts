// What every Web API method handler gets, and how it reports Slack's errors.
import type { State } from '../state.js';
import type { Triggers } from '../triggers.js';

export type Args = Record<string, unknown>;
type Result = Record<string, unknown>;

/** A change the page should show (sent over server-sent events). */
export type WorkspaceEvent =
  | { type: 'message' | 'message_changed' | 'message_deleted'; channel: string; ts: string; thread_ts?: string }
  | { type: 'ephemeral'; channel: string; ts: string; user: string }
  | { type: 'view'; user: string; view_id?: string }
  | { type: 'reset' };

export type ApiContext = {
  state: State;
  triggers: Triggers;
  origin: () => string;
  emit: (event: WorkspaceEvent) => void;
};

export type Handler = (args: Args, ctx: ApiContext) => Result | Promise<Result>;

/** Thrown by handlers; becomes `{ ok: false, error, response_metadata? }`. */
export class SlackApiError extends Error {
  constructor(readonly error: string, readonly messages?: string[]) {
    super(error);
  }
}

export function str(args: Args, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

export function bool(args: Args, name: string): boolean {
  const v = args[name];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** Parses an argument sent either as JSON text (form bodies) or as a value (JSON bodies). */
export function json(args: Args, name: string, error: string): unknown {
  const v = args[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new SlackApiError(error, [`[ERROR] ${name} is not valid JSON`]);
  }
}

/** Cursor pagination over a list, the way Slack pages (opaque cursor, `limit`). */
export function page<T>(items: T[], args: Args, defaultLimit = 100): { items: T[]; next_cursor: string } {
  const limit = Math.max(1, Math.min(Number(args.limit ?? defaultLimit) || defaultLimit, 1000));
  const cursor = str(args, 'cursor');
  let start = 0;
  if (cursor) {
    const decoded = Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) throw new SlackApiError('invalid_cursor');
    start = decoded;
  }
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
  return { items: slice, next_cursor: next };
}
