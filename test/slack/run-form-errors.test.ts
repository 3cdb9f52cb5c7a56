/** A runbook's parameters form: a refusal known before the run starts is shown in the form, not in the thread. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '#workspace/index.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, openIncident, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

let w: RunsWorld;
const forms = () => w.t.ws.state.data.views.filter((v) => (v as any).callback_id === 'run.params');
const openFor = (user: string) => w.t.ws.state.data.stacks[user] ?? [];
const ephemeralsFrom = (n: number) => w.t.ws.state.data.ephemerals.slice(n);

async function openForm(user: string, cardTs: string) {
  const before = new Set(forms().map((v) => v.id));
  const suggestion = threadOf(w.t, cardTs).find((m) => (m.text ?? '').startsWith('Runbooks that match'))!;
  await w.t.ws.click(user, { channel: INC, ts: suggestion.ts }, 'run.start', { value: 'redis-down' });
  return waitFor(() => forms().find((v) => !before.has(v.id)));
}

/** A view_submission signed with the app's secret, as `user`, for a form someone else opened. */
async function submitAs(user: string, view: any, pattern: string) {
  const state = { values: { 'param.pattern': { 'param.pattern': { type: 'plain_text_input', value: pattern } } } };
  const payload = {
    type: 'view_submission', team: { id: w.t.ws.state.data.team.id }, user: { id: user, team_id: w.t.ws.state.data.team.id },
    api_app_id: w.t.ws.state.data.bot.app_id, trigger_id: '1.2.forged',
    view: { id: view.id, type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks, state },
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const r = await fetch(`${w.t.ops.url}/slack/events`, {
    method: 'POST', body,
    headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(w.t.ws.signingSecret, ts, body), 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: r.status, json: await r.json().catch(() => ({})) as any };
}

describe.skipIf(!dockerAvailable())('errors of the runbook parameters form', () => {
  beforeAll(async () => {
    w = await startRunsWorld({ file: { permissions: { runners: ['U0ALICE', 'U0BOB'], responders: ['S0ONCALL'], approvalMinutes: 10 } } });
  }, 60_000);
  afterAll(() => w?.stop());

  it('keeps the form open with the reason when the incident was resolved while it was open', async () => {
    const card = await openIncident(w.t, 'open P2 Redis caído');
    const form = await openForm('U0ALICE', card.ts);
    expect(form.blocks.some((b: any) => b.block_id === 'param.pattern')).toBe(true);
    await w.t.ws.slash('U0BOB', GEN, 'resolve INC-1 flapped');
    await w.t.settle();
    const thread = threadOf(w.t, card.ts).length;
    const eph = w.t.ws.state.data.ephemerals.length;

    const sub = await w.t.ws.submitView('U0ALICE', form.id, { 'param.pattern': 'timeout' });
    expect(sub.responseAction).toBe('errors');
    // The first field of the form carries it.
    expect(sub.errors).toEqual({ 'param.lines': 'INC-1 is resolved; reopen it to run runbooks.' });
    expect(w.t.ws.state.data.viewErrors[form.id]).toEqual(sub.errors);
    expect(openFor('U0ALICE')).toContain(form.id);
    await w.t.settle();
    expect(threadOf(w.t, card.ts)).toHaveLength(thread);
    expect(ephemeralsFrom(eph)).toEqual([]);
    expect(await w.t.ops.runs.runs.listRuns({ incidentId: 1 })).toHaveLength(0);
    await w.t.ws.closeView('U0ALICE', form.id);
  }, 40_000);

  it('answers a person who may not run runbooks in the form they submitted, and records the refusal', async () => {
    const card = await openIncident(w.t, 'open P2 Redis caído otra vez');
    const form = await openForm('U0ALICE', card.ts);
    const thread = threadOf(w.t, card.ts).length;
    const eph = w.t.ws.state.data.ephemerals.length;

    const sub = await submitAs('U0DAVE', form, 'timeout');
    expect(sub.status).toBe(200);
    expect(sub.json.response_action).toBe('errors');
    expect(Object.keys(sub.json.errors)).toEqual(['param.lines']);
    expect(sub.json.errors['param.lines']).toMatch(/not among the runners/);
    await w.t.settle();
    expect(threadOf(w.t, card.ts)).toHaveLength(thread);
    const denial = (await w.t.ops.store.events(2)).find((e) => e.kind === 'denial');
    expect(denial).toMatchObject({ actor: 'U0DAVE', text: expect.stringMatching(/^refused start a runbook: .*not among the runners/) });
    expect(ephemeralsFrom(eph)).toEqual([]);
    expect(await w.t.ops.runs.runs.listRuns({ incidentId: 2 })).toHaveLength(0);

    // The person who opened it still starts the run from the same form, which closes.
    const ok = await w.t.ws.submitView('U0ALICE', form.id, { 'param.pattern': 'timeout' });
    expect(ok.responseAction).toBeUndefined();
    expect(ok.errors).toBeUndefined();
    expect(openFor('U0ALICE')).not.toContain(form.id);
    const runs = await waitFor(async () => { const r = await w.t.ops.runs.runs.listRuns({ incidentId: 2 }); return r.length ? r : undefined; });
    expect(runs[0]).toMatchObject({ runbookId: 'redis-down', startedBy: 'U0ALICE' });
    await waitFor(() => threadOf(w.t, card.ts).find((m) => (m.text ?? '').startsWith('Runbook ') && (m.text ?? '').includes('(run 1)')));
  }, 40_000);
});
