import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HandoffConfigSchema, type HandoffConfig } from '#core/handoffs/config.js';
import { checkMessageBlocks } from '#workspace/blocks/limits.js';
import { ManualClock } from '../support/clock.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
/** 08:00 Europe/Madrid on 2026-11-22; rotation [ALICE, BOB]: ALICE takes this shift, BOB had the night. */
const BOUNDARY = new Date('2026-11-22T07:00:00Z');
const MIN = 60_000;

let running: LocalOpsroom[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of running.splice(0).reverse()) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(clock: ManualClock, handoff: Partial<HandoffConfig> = {}, dir?: string, env?: Record<string, string>) {
  const t = await startLocal({
    clock, dir, env,
    file: { handoff: HandoffConfigSchema.parse({ shifts: ['08:00', '20:00'], timeZone: 'Europe/Madrid', rotation: ['U0ALICE', 'U0BOB'], ...handoff }) },
  });
  running.push(t);
  return t;
}
const handoff = (t: LocalOpsroom, user: string, text: string, channel = GEN, threadTs?: string) => t.ws.slash(user, channel, text, { command: '/handoff', threadTs });
const posts = (t: LocalOpsroom) => t.messages(INC).filter((m) => /^Handoff:/.test(m.text));

describe('/handoff through the real Bolt app', () => {
  it('shows the shift so far to the caller only, with notes from the command and from the card button', async () => {
    const clock = new ManualClock(new Date(BOUNDARY.getTime() + 60 * MIN));
    const t = await start(clock);
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await t.settle();
    const card = t.messages(INC)[0];
    const note = await handoff(t, 'U0ALICE', 'note Watch the disk on db-2');
    expect(note.json.text).toMatch(/Noted for the handoff/);
    const inThread = await handoff(t, 'U0BOB', 'note Rolled back twice already', INC, card.ts);
    expect(inThread.json.text).toMatch(/about INC-1/);

    await t.ws.click('U0CAROL', { channel: INC, ts: card.ts }, 'handoff.add_note');
    const view = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0CAROL').at(-1));
    const empty = await t.ws.submitView('U0CAROL', view.id, { note: ' ' });
    expect(empty.errors ?? empty.clientErrors).toBeDefined();
    const ok = await t.ws.submitView('U0CAROL', view.id, { note: 'Customer support is waiting for news' });
    expect(ok.errors).toBeUndefined();

    const r = await handoff(t, 'U0DAVE', '');
    expect(r.json.response_type).toBe('ephemeral');
    const text = visibleText(r.json);
    expect(text).toContain('Handoff: 1 open, 1 P1');
    for (const s of ['INC-1', 'Checkout API down', 'Watch the disk on db-2', 'Rolled back twice already', 'Customer support is waiting for news', 'Outgoing: <@U0ALICE>']) expect(text).toContain(s);
    expect(posts(t)).toHaveLength(0);

    const since = await handoff(t, 'U0DAVE', 'since 90m');
    expect(visibleText(since.json)).toContain('Watch the disk');
    const bad = await handoff(t, 'U0DAVE', 'since yesterday-ish');
    expect(bad.json.text).toMatch(/Cannot read "yesterday-ish" as a time/);
  });

  it('posts, asks the incoming on-call to accept, and accepting moves the commanders when configured', async () => {
    const clock = new ManualClock(new Date(BOUNDARY.getTime() - 10 * MIN));
    const t = await start(clock, { moveCommanders: true });
    await t.ws.slash('U0CAROL', GEN, 'open P2 Search slow');
    await t.ws.slash('U0CAROL', GEN, 'open P1 Payments down');
    await t.settle();
    const r = await handoff(t, 'U0ALICE', 'post');
    expect(r.json.text).toMatch(/Posted the handoff in <#C0INCIDENTS>\. <@U0ALICE> was asked to accept it/);
    const [post] = posts(t);
    expect(post.text).toContain('2 open, 1 P1');
    const dmChannel = t.ws.state.imWith('U0ALICE').id;
    const dm = t.messages(dmChannel).find((m) => /^Handoff:/.test(m.text));
    expect(visibleText(dm!)).toContain('Accept handoff');

    // A bystander cannot accept a handoff meant for someone else (and so take over the incidents).
    await t.ws.click('U0DAVE', { channel: INC, ts: post.ts }, 'handoff.accept');
    const early = await waitFor(() => t.ws.state.data.ephemerals.find((e) => e.ephemeral_for === 'U0DAVE'));
    expect(early.text).toMatch(/This handoff is for <@U0ALICE>; only they or a responder may accept it/);
    const daveSaw = t.ws.state.data.ephemerals.length;

    await t.ws.click('U0ALICE', { channel: dmChannel, ts: dm!.ts }, 'handoff.accept');
    await waitFor(() => t.messages(INC, post.ts).some((m) => /accepted the handoff/.test(m.text)));
    await t.settle();
    const line = t.messages(INC, post.ts).map((m) => m.text).join('\n');
    expect(line).toMatch(/<@U0ALICE> accepted the handoff and is now commander of INC-1, INC-2/);
    expect((await t.ops.store.get(1))?.commander).toBe('U0ALICE');
    expect((await t.ops.store.get(2))?.commander).toBe('U0ALICE');
    expect(visibleText(t.ws.state.message(dmChannel, dm!.ts)!)).toMatch(/Accepted by <@U0ALICE>/);
    const cards = t.messages(INC).filter((m) => m.text.startsWith('INC-'));
    expect(cards).toHaveLength(2);
    expect(cards.every((c) => visibleText(c).includes('*Commander*\n<@U0ALICE>'))).toBe(true);

    await t.ws.click('U0DAVE', { channel: INC, ts: post.ts }, 'handoff.accept');
    const refused = await waitFor(() => t.ws.state.data.ephemerals.slice(daveSaw).find((e) => e.ephemeral_for === 'U0DAVE'));
    expect(refused.text).toMatch(/<@U0ALICE> already accepted this handoff/);
  });

  it('says why when Slack refuses the post, and posts on the next try', async () => {
    const clock = new ManualClock(new Date(BOUNDARY.getTime() - 10 * MIN));
    const t = await start(clock);
    t.ws.failNext('chat.postMessage', { status: 200, error: 'not_in_channel' });
    const refused = await handoff(t, 'U0ALICE', 'post');
    expect(refused.json.text).toMatch(/Slack refused the handoff in <#C0INCIDENTS>: not_in_channel \(invite opsroom to the channel\)/);
    expect(posts(t)).toHaveLength(0);
    clock.advance(1000);
    const ok = await handoff(t, 'U0ALICE', 'post');
    expect(ok.json.text).toMatch(/Posted the handoff/);
    expect(posts(t)).toHaveLength(1);
  });

  it('leaves the commanders alone when moveCommanders is off', async () => {
    const clock = new ManualClock(new Date(BOUNDARY.getTime() - 10 * MIN));
    const t = await start(clock);
    await t.ws.slash('U0CAROL', GEN, 'open P2 Search slow');
    await t.settle();
    await handoff(t, 'U0ALICE', 'post');
    const [post] = posts(t);
    await t.ws.click('U0ALICE', { channel: INC, ts: post.ts }, 'handoff.accept');
    await waitFor(() => t.messages(INC, post.ts).some((m) => /<@U0ALICE> accepted the handoff\./.test(m.text)));
    expect((await t.ops.store.get(1))?.commander).toBe('U0CAROL');
  });

  it('posts at the shift change exactly once, also when the process restarts around it; reminds, then escalates', async () => {
    const clock = new ManualClock(new Date(BOUNDARY.getTime() - 2 * MIN));
    const first = await start(clock, { escalateTo: ['S0ONCALL'] });
    const dir = first.dir;
    dirs.push(dir);
    await first.ws.slash('U0CAROL', GEN, 'open P2 Search slow');
    await first.settle();
    expect(await first.ops.handoffs.tick()).toBeUndefined(); // the last change was 12 h ago: too late to post
    clock.set(new Date(BOUNDARY.getTime() + 1 * MIN));
    const posted = await first.ops.handoffs.tick();
    expect(posted?.key).toBe(`shift:${BOUNDARY.toISOString()}`);
    expect(await first.ops.handoffs.tick()).toBeUndefined();
    await first.close({ keepDir: true });
    running = running.filter((x) => x !== first);

    clock.set(new Date(BOUNDARY.getTime() + 3 * MIN));
    const second = await start(clock, { escalateTo: ['S0ONCALL'] }, dir);
    expect(await second.ops.handoffs.tick()).toBeUndefined();
    const all = posts(second);
    expect(all).toHaveLength(1);
    expect(visibleText(all[0])).toContain('Outgoing: <@U0BOB> → incoming: <@U0ALICE>');

    clock.advance(30 * MIN);
    await second.ops.handoffs.tick();
    const thread = () => second.messages(INC, all[0].ts).map((m) => m.text);
    expect(thread().join('\n')).toMatch(/<@U0ALICE>, the handoff has not been accepted after 30 min/);
    expect(thread().join('\n')).not.toMatch(/nobody has accepted/);
    clock.advance(30 * MIN);
    await second.ops.handoffs.tick();
    await second.ops.handoffs.tick();
    expect(thread().filter((l) => /nobody has accepted/.test(l))).toEqual([expect.stringContaining('<!subteam^S0ONCALL>')]);
    expect(posts(second)).toHaveLength(1);
  });

  it('keeps a 500-incident shift within Slack limits, biggest first, with the full text attached', async () => {
    const clock = new ManualClock(new Date(BOUNDARY.getTime() - 10 * MIN));
    const t = await start(clock);
    const { store } = t.ops;
    for (let n = 0; n < 500; n++) {
      const sev = ['P1', 'P2', 'P3', 'P4'][n % 4];
      const at = new Date(BOUNDARY.getTime() - (11 * 60 - n) * MIN);
      const i = await store.create({ title: `Service ${n} degraded ${'x'.repeat(80)}`, severity: sev, commander: 'U0ALICE', openedBy: 'U0ALICE', summary: null, service: null, channel: INC, sourceChannel: GEN, createdAt: at }, [
        { at, actor: 'U0ALICE', kind: 'opened', text: 'Opened', data: null },
        { at, actor: 'U0ALICE', kind: 'update', text: `Investigating ${'y'.repeat(400)}. Next: check the pool`, data: null },
      ], []);
      if (n % 5 === 0) await store.record(i.id, [{ at, actor: 'U0BOB', kind: 'note', text: 'x', data: null }], []);
    }
    const shown = await handoff(t, 'U0DAVE', '');
    expect(shown.status).toBe(200);
    expect(shown.json.blocks.length).toBeLessThanOrEqual(50);
    expect(checkMessageBlocks(shown.json.blocks)).toEqual([]);
    expect(visibleText(shown.json)).toMatch(/500 open, 125 P1/);

    const r = await handoff(t, 'U0ALICE', 'post');
    expect(r.json.text).toMatch(/Posted the handoff/);
    const [post] = posts(t);
    expect(post.blocks!.length).toBeLessThanOrEqual(50);
    const text = visibleText(post);
    expect(text).toMatch(/items are not shown here; the full summary is in the file in the thread/);
    // Largest first: the P1s lead the open list.
    const firstItem = /•\s\*INC-\d+\* · (P\d)/.exec(text);
    expect(firstItem?.[1]).toBe('P1');
    const file = await waitFor(() => t.ws.state.data.files.find((f) => f.name.startsWith('handoff-')));
    const full = Buffer.from(file.content!, 'base64').toString('utf8');
    const openPart = full.split('## Open incidents (500)')[1].split('\n## ')[0];
    expect(openPart.match(/^- \*\*INC-\d+\*\*/gm)).toHaveLength(500);
    expect(t.messages(INC, post.ts).some((m) => (m as { files?: unknown[] }).files?.length)).toBe(true);
  }, 60_000);

  it('runs the handoff checks runbook at post time through the run engine, never its dangerous steps', async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.url === '/api/v2/alerts') res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      else res.writeHead(503).end('down');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-handoff-'));
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'handoff-checks.yml'), [
      'title: Handoff checks',
      'steps:',
      '  - id: alerts',
      '    title: No active alerts',
      `    http: { url: "${base}/api/v2/alerts", expect_body: "[]" }`,
      '  - id: dashboard',
      '    title: Dashboard answers',
      `    http: { url: "${base}/health" }`,
      '    on_failure: continue',
      '  - id: restart',
      '    title: Restart the worker',
      `    http: { method: POST, url: "${base}/restart" }`,
      '    danger: true',
      '',
    ].join('\n'));
    try {
      const clock = new ManualClock(new Date(BOUNDARY.getTime() - 10 * MIN));
      const t = await start(clock, { checks: 'handoff-checks' }, dir, { OPSROOM_RUNBOOKS: join(dir, 'runbooks') });
      const shown = await handoff(t, 'U0ALICE', '');
      expect(visibleText(shown.json)).toContain('handoff-checks: not run — the checks run when the handoff is posted');
      expect(hits).toEqual([]);
      await handoff(t, 'U0ALICE', 'post');
      const [post] = posts(t);
      const text = visibleText(post);
      expect(post.text).toContain('handoff checks failed');
      expect(text).toContain('handoff-checks: FAILED');
      expect(text).toMatch(/:white_check_mark: No active alerts — succeeded/);
      expect(text).toMatch(/:x: Dashboard answers — failed/);
      expect(text).toMatch(/Restart the worker — skipped: not run at handoff time/);
      expect(hits).toEqual(['GET /api/v2/alerts', 'GET /health']);
      const runs = await t.ops.runs.runs.listRuns({});
      expect(runs.map((r) => [r.runbookId, r.incidentId, r.startedBy])).toEqual([['handoff-checks', null, 'opsroom']]);
    } finally {
      for (const x of running.splice(0)) await x.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
