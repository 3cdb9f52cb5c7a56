import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffConfigSchema } from '#core/handoffs/config.js';
import type { HandoffSummary } from '#core/handoffs/model.js';
import type { HandoffChat } from '#core/handoffs/ports.js';
import { HandoffService } from '#core/handoffs/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import type { Database } from '#store/db.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyLeases } from '#store/leases.js';
import { ManualClock } from '../../support/clock.js';
import { ENGINES } from '../../store/engines.js';
import { BOUNDARY } from './fixtures.js';

/** Records what would reach Slack; `failNext` makes the next post fail as an unreachable Slack would. */
class RecordingChat implements HandoffChat {
  posts: Array<{ channel: string; headline: string }> = [];
  failNext = 0;
  async post(channel: string, s: HandoffSummary) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Slack is unreachable');
    }
    this.posts.push({ channel, headline: s.headline });
    return { channel, ts: `${1000 + this.posts.length}.000100` };
  }
  async direct(user: string) {
    return { channel: `D-${user}`, ts: '1.0' };
  }
  async say() {}
}

describe.each(ENGINES)('scheduled handoff posts on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  const handles: Database[] = [];
  const clock = new ManualClock();

  /** A replica: its own database handle (pool), store, leases and name. */
  async function replica(name: string, chat: RecordingChat) {
    const database = engine.name === 'postgres' || !handles.length ? await fresh.open() : handles[0];
    if (!handles.includes(database)) handles.push(database);
    return new HandoffService({
      incidents: new KyselyIncidentStore(database), handoffs: new KyselyHandoffStore(database), clock, severities: DEFAULT_SEVERITIES,
      config: HandoffConfigSchema.parse({ shifts: ['08:00', '20:00'], timeZone: 'Europe/Madrid' }), channel: 'C0HANDOFF',
      chat, leases: new KyselyLeases(database), instanceId: name,
    });
  }

  beforeEach(async () => {
    fresh = await engine.fresh();
    clock.set(new Date(BOUNDARY.getTime() + 60_000));
  });
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('posts once when several replicas reach the shift change together', async () => {
    const chats = [new RecordingChat(), new RecordingChat(), new RecordingChat()];
    const replicas: HandoffService[] = [];
    for (const [i, c] of chats.entries()) replicas.push(await replica(`r${i}`, c));
    const results = await Promise.all(replicas.map((r) => r.tick()));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(chats.flatMap((c) => c.posts)).toHaveLength(1);
    clock.advance(5 * 60_000);
    await Promise.all(replicas.map((r) => r.tick()));
    expect(chats.flatMap((c) => c.posts)).toHaveLength(1);
  });

  it('retries a post that failed, once the failing replica lease lapses, and still posts once', async () => {
    const a = new RecordingChat();
    const b = new RecordingChat();
    a.failNext = 1;
    const ra = await replica('a', a);
    const rb = await replica('b', b);
    await expect(ra.tick()).rejects.toThrow(/unreachable/);
    clock.advance(30_000);
    expect(await rb.tick()).toBeUndefined(); // a still holds the shift's lease
    clock.advance(3 * 60_000);
    const posted = await rb.tick();
    expect(posted?.key).toBe(`shift:${BOUNDARY.toISOString()}`);
    expect(await ra.tick()).toBeUndefined();
    expect([...a.posts, ...b.posts]).toHaveLength(1);
  });

  it('does not post a shift change it learns of too late', async () => {
    const chat = new RecordingChat();
    clock.set(new Date(BOUNDARY.getTime() + 61 * 60_000));
    expect(await (await replica('late', chat)).tick()).toBeUndefined();
    expect(chat.posts).toEqual([]);
  });
});
