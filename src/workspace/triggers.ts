// trigger_ids: issued with each interaction, usable once, for 3 seconds (as Slack does).
import { randomBytes } from 'node:crypto';

const TRIGGER_TTL_MS = 3000;

type Trigger = { user: string; issued: number; used: boolean; viewId?: string };

export class Triggers {
  private readonly byId = new Map<string, Trigger>();
  ttlMs = TRIGGER_TTL_MS;

  issue(user: string, viewId?: string): string {
    const id = `${Math.floor(Date.now() / 1000)}.${Date.now() % 100000}.${randomBytes(12).toString('hex')}`;
    this.byId.set(id, { user, issued: Date.now(), used: false, viewId });
    return id;
  }

  /** Uses a trigger; returns who it belongs to, or the error Slack gives. */
  consume(id: string): { user: string; viewId?: string } | { error: string } {
    const t = this.byId.get(id);
    if (!t) return { error: 'invalid_trigger_id' };
    if (t.used) return { error: 'exchanged_trigger_id' };
    if (Date.now() - t.issued > this.ttlMs) return { error: 'expired_trigger_id' };
    t.used = true;
    return { user: t.user, viewId: t.viewId };
  }
}
