/**
 * Replays through the real Bolt receiver: each kind of signed request the workspace sends is sent
 * again, byte for byte, at once and after the app's short windows (duplicate title 60 s, Start's
 * double-click 10 s) have passed. Each has its effect once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureRequests } from '../support/capture.js';
import { ManualClock } from '../support/clock.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom | undefined;
let cap: Awaited<ReturnType<typeof captureRequests>> | undefined;
let target: Server | undefined;
afterEach(async () => {
  await cap?.close();
  await t?.close();
  target?.close();
  t = cap = target = undefined;
});

async function start(opts: Parameters<typeof startLocal>[0] = {}) {
  const clock = new ManualClock(new Date());
  t = await startLocal({ clock, ...opts });
  cap = await captureRequests(t.ws);
  return { t, cap, clock };
}

const eventsOf = async (l: LocalOpsroom, kind: string) => (await l.ops.store.events(1)).filter((e) => e.kind === kind);
/** Every button of a message, wherever it sits (actions blocks, section accessories). */
const buttons = (m: { blocks?: any[] }) => (m.blocks ?? []).flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]).filter((e: any) => e.type === 'button');

describe('the identical signed request delivered again', () => {
  it('a slash command opens one incident, also after the duplicate window', async () => {
    const { t, cap, clock } = await start();
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    const sent = cap.last((p) => p.command === '/incident');
    expect((await cap.replay(sent)).status).toBe(200);
    clock.advance(61_000); // past "the same title within 60 s"
    expect((await cap.replay(sent)).status).toBe(200);
    await t.settle();
    expect((await t.ops.store.listOpen()).map((i) => i.id)).toEqual([1]);
    expect(t.messages(INC)).toHaveLength(1);
  });

  it('a modal submission opens one incident', async () => {
    const { t, cap, clock } = await start();
    await t.ws.slash('U0ALICE', GEN, '');
    const view = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0ALICE').at(-1));
    const ok = await t.ws.submitView('U0ALICE', view.id, { severity: 'P2', title: 'Payments slow' });
    expect(ok.errors).toBeUndefined();
    const sent = cap.last((p) => p.type === 'view_submission');
    expect((await cap.replay(sent)).status).toBe(200);
    clock.advance(61_000);
    expect((await cap.replay(sent)).status).toBe(200);
    await t.settle();
    expect((await t.ops.store.listOpen())).toHaveLength(1);
  });

  it('a card button acts once: Reopen replayed after the incident was resolved again', async () => {
    const { t, cap } = await start();
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await t.ws.slash('U0ALICE', GEN, 'resolve INC-1 fixed');
    await t.settle();
    const card = t.messages(INC)[0];
    await t.ws.click('U0BOB', { channel: INC, ts: card.ts }, 'incident.reopen');
    await waitFor(async () => (await t.ops.store.get(1))?.status !== 'resolved');
    await t.ws.slash('U0ALICE', GEN, 'resolve INC-1 fixed again');
    const sent = cap.last((p) => p.type === 'block_actions' && p.actions?.[0]?.action_id === 'incident.reopen');
    expect((await cap.replay(sent)).status).toBe(200);
    expect((await cap.replay(sent)).status).toBe(200);
    await t.settle();
    expect((await t.ops.store.get(1))?.status).toBe('resolved');
    expect(await eventsOf(t, 'reopened')).toHaveLength(1);
  });

  it('Start starts one run and Retry executes once, also after the double-click window', async () => {
    let hits = 0;
    target = createServer((_req, res) => { hits++; res.writeHead(500).end('down'); });
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', r));
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-replay-'));
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'probe.yml'), `id: probe
title: Probe check
match: { keywords: [probe] }
steps:
  - id: check
    title: Check the probe
    http: { url: "http://127.0.0.1:${(target.address() as AddressInfo).port}/check", expect_status: 200 }
    timeout: 5s
`);
    const { t, cap, clock } = await start({ dir, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_INVENTORY: join(dir, 'none.yml') } });
    await t.ws.slash('U0ALICE', GEN, 'open P2 probe service down');
    await t.settle();
    const card = t.messages(INC)[0];
    const suggestion = await waitFor(() => t.messages(INC, card.ts).find((m) => buttons(m).some((b: any) => b.action_id === 'run.start')));
    await t.ws.click('U0ALICE', { channel: INC, ts: suggestion.ts }, 'run.start', { value: 'probe' });
    const runs = () => t.ops.runs.runs.listRuns({ incidentId: 1 });
    await waitFor(async () => (await runs()).length === 1);
    const startClick = cap.last((p) => p.actions?.[0]?.action_id === 'run.start');
    await cap.replay(startClick);
    clock.advance(11_000); // past Start's 10 s double-click window
    await cap.replay(startClick);
    expect(await runs()).toHaveLength(1);

    const runCard = () => t.messages(INC, card.ts).find((m) => buttons(m).some((b: any) => /^run\.step\.(run|retry)$/.test(b.action_id)));
    const withButton = (id: string) => waitFor(() => { const m = runCard(); return m && buttons(m).some((b: any) => b.action_id === id) && m; }, 10_000);
    const first = await withButton('run.step.run');
    await t.ws.click('U0ALICE', { channel: INC, ts: first.ts }, 'run.step.run');
    const failed = await withButton('run.step.retry');
    expect(hits).toBe(1);
    await t.ws.click('U0ALICE', { channel: INC, ts: failed.ts }, 'run.step.retry');
    await waitFor(() => hits === 2);
    await withButton('run.step.retry');
    const retry = cap.last((p) => p.actions?.[0]?.action_id === 'run.step.retry');
    await cap.replay(retry);
    clock.advance(11_000);
    await cap.replay(retry);
    await t.ops.runs.board.settle();
    await new Promise((r) => setTimeout(r, 500)); // a third execution would have hit the target by now
    expect(hits).toBe(2);
  }, 60_000);
});
