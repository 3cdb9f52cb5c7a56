/**
 * Long runbooks through the real Bolt app: a 60-step run card fits Slack's 50 blocks (the local
 * Web API refuses more) and still offers Run, Skip and Retry for every step; a 30-step card has a
 * menu per step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { INC, openIncident, runCardOf, startRunsWorld, type RunsWorld } from './support/runs-world.js';

/** `count` steps: s1…s<count>; `fail` exits 1, `danger` restarts. */
function runbook(title: string, keyword: string, count: number, special: { fail?: number; danger?: number } = {}): string {
  const steps = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    if (n === special.danger) return `  - { id: s${n}, title: Restart the cache ${n}, danger: true, docker: { service: redis, restart: { timeout: 2s } } }`;
    const cmd = n === special.fail ? '[sh, -c, "echo broken; exit 1"]' : `[echo, "step ${n} done"]`;
    return `  - { id: s${n}, title: Check part ${n} of the system, read_only: true, on_failure: continue, docker: { service: redis, exec: ${cmd} } }`;
  });
  return `title: ${title}\nmatch: { keywords: [${keyword}] }\ndocker: { project: blatam }\nsteps:\n${steps.join('\n')}\n`;
}

const hasDocker = dockerAvailable();
let w: RunsWorld;

type Obj = Record<string, any>;
const elements = (blocks: Obj[]): Obj[] => blocks.flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]);
/** Every `<action>|<run>:<step>` a card offers, from buttons, menus and pickers alike. */
function offered(blocks: Obj[]): Set<string> {
  const out = new Set<string>();
  for (const e of elements(blocks)) {
    if (e.type === 'button' && /^run\.step\.(run|skip|retry)$/.test(e.action_id)) out.add(`${e.action_id.split('.')[2]}|${e.value}`);
    for (const o of e.options ?? []) out.add(o.value);
  }
  return out;
}
/** The menu or picker element that offers `value`. */
const offering = (blocks: Obj[], value: string) => elements(blocks).find((e) => (e.options ?? []).some((o: Obj) => o.value === value));

async function start(id: string, text: string) {
  const card = await openIncident(w.t, `open P3 ${text}`, 'U0ALICE');
  const r = await w.t.ws.slash('U0ALICE', INC, `run ${id}`, { command: '/runbook', threadTs: card.ts });
  expect(r.json?.text).toMatch(/Started/);
  const runId = Number(/run (\d+)/.exec(r.json.text)![1]);
  return { card, runId, run: await waitFor(() => runCardOf(w.t, card.ts, runId)) };
}
const stepState = async (runId: number, stepId: string) => (await w.t.ops.runs.runs.getStep(runId, stepId))?.state;
const all = (runId: number, count: number, actions: string[]) => Array.from({ length: count }, (_, i) => actions.map((a) => `${a}|${runId}:s${i + 1}`)).flat();

describe.skipIf(!hasDocker)('run cards of long runbooks', () => {
  beforeAll(async () => {
    w = await startRunsWorld({
      runbooks: { 'long.yml': runbook('Long check', 'sixty', 60, { fail: 58, danger: 57 }), 'medium.yml': runbook('Medium check', 'thirty', 30) },
      file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } },
    });
  }, 60_000);
  afterAll(() => w?.stop());

  it('60 steps: within 50 blocks, and every step can be run, skipped or retried from the card', async () => {
    const { card, runId, run } = await start('long', 'Sixty checks');
    expect(run.blocks!.length).toBeLessThanOrEqual(50);
    expect([...offered(run.blocks!)].sort()).toEqual(all(runId, 60, ['run', 'skip']).sort());
    const pick = async (value: string, user = 'U0ALICE') => {
      const m = runCardOf(w.t, card.ts, runId)!;
      const el = offering(m.blocks!, value);
      expect(el, value).toBeDefined();
      return w.t.ws.click(user, { channel: INC, ts: m.ts }, el!.action_id, { value });
    };
    // The last step runs, the one before is skipped, the failing one fails and offers Retry.
    await pick(`run|${runId}:s60`);
    await pick(`skip|${runId}:s59`);
    // Skip asks why; the card then says who skipped it and why.
    const form = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.skip').at(-1));
    await w.t.ws.submitView('U0ALICE', form.id, { reason: 'covered by s60' });
    await pick(`run|${runId}:s58`);
    await waitFor(async () => (await stepState(runId, 's60')) === 'succeeded' && (await stepState(runId, 's58')) === 'failed', 20_000);
    expect(await stepState(runId, 's59')).toBe('skipped');
    const skipLine = (await w.t.ops.store.events((await w.t.ops.runs.runs.getRun(runId))!.incidentId!)).filter((e) => e.kind === 'step' && e.text.startsWith('skipped')).map((e) => e.text);
    expect(skipLine).toHaveLength(1);
    expect(skipLine[0]).toMatch(new RegExp(`^skipped step \`s59\` of run ${runId}: .*covered by s60`));
    await w.t.ops.runs.board.settle();
    const after = runCardOf(w.t, card.ts, runId)!;
    expect(after.blocks!.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(after.blocks)).toMatch(/59\. Check part 59 of the system[^"]*skipped · by <@U0ALICE>\\n_covered by s60_/);
    const now = offered(after.blocks!);
    expect(now.has(`retry|${runId}:s58`) && now.has(`skip|${runId}:s58`)).toBe(true);
    expect([...now].filter((v) => /:s(59|60)$/.test(v))).toEqual([]);
    for (let i = 1; i <= 57; i++) expect(now.has(`run|${runId}:s${i}`) && now.has(`skip|${runId}:s${i}`)).toBe(true);
    await pick(`retry|${runId}:s58`);
    await waitFor(async () => (await w.t.ops.runs.runs.attempts(runId, 's58')).length === 2, 20_000);
    // The dangerous step from the picker opens its confirmation, for a responder only.
    await pick(`run|${runId}:s57`);
    await waitFor(() => w.t.ws.state.data.views.find((v) => v.user === 'U0ALICE' && (v as Obj).callback_id === 'run.confirm'));
    expect(await stepState(runId, 's57')).toBe('pending');
    // Every line is on the card.
    const text = after.blocks!.map((b: Obj) => b.text?.text ?? '').join('\n');
    for (let i = 1; i <= 60; i++) expect(text).toContain(`*${i}. `);
  }, 90_000);

  it('30 steps: one block per step, each with a menu of its actions', async () => {
    const { runId, run } = await start('medium', 'Thirty checks');
    expect(run.blocks!.length).toBeLessThanOrEqual(50);
    expect([...offered(run.blocks!)].sort()).toEqual(all(runId, 30, ['run', 'skip']).sort());
    const block = run.blocks!.find((b: Obj) => b.accessory?.type === 'overflow' && b.accessory.options.some((o: Obj) => o.value === `skip|${runId}:s30`));
    expect(block?.accessory.action_id).toBe('run.step.menu');
    expect(block?.text.text).toContain('*30. ');
    const forms = () => w.t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as Obj).callback_id === 'run.skip');
    const seen = forms().length;
    await w.t.ws.click('U0ALICE', { channel: INC, ts: run.ts }, 'run.step.menu', { value: `skip|${runId}:s30`, blockId: block.block_id });
    const form = await waitFor(() => forms()[seen]);
    await w.t.ws.submitView('U0ALICE', form.id, { reason: 'not on this host' });
    await waitFor(async () => (await stepState(runId, 's30')) === 'skipped', 10_000);
    // A menu value naming another run is refused (the message decides the run).
    const before = w.t.ws.state.data.ephemerals.length;
    await w.t.ws.click('U0ALICE', { channel: INC, ts: run.ts }, 'run.step.menu', { value: `skip|999:s29` });
    expect(await waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === 'U0ALICE')?.text)).toMatch(/does not belong/);
    expect(await stepState(runId, 's29')).toBe('pending');
  }, 60_000);
});
