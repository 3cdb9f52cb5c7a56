/**
 * Safety of button-driven remediation, through the real Bolt app and the local Web API: double
 * clicks, denied users, tampered button values, second-person approval with expiry, a 429 storm
 * while output streams, redaction on every surface.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, SECRET, openIncident, outputsOf, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
const clock = new ManualClock(new Date());
let w: RunsWorld;
let n = 0;

/** Opens a fresh P1 incident, starts the Redis runbook in its thread; returns the card and run card. */
async function startRun(user = 'U0ALICE') {
  const title = `Redis caído ${++n}`;
  const card = await openIncident(w.t, `open P1 ${title}`, user);
  const r = await w.t.ws.slash(user, INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
  expect(r.json?.text).toMatch(/Started \*Redis caído\* \(run (\d+)\)/);
  const runId = Number(/run (\d+)/.exec(r.json.text)![1]);
  const run = await waitFor(() => runCardOf(w.t, card.ts, runId));
  const incidentId = (await w.t.ops.runs.runs.getRun(runId))!.incidentId!;
  return { card, run, runId, incidentId };
}
const click = (user: string, ts: string, actionId: string, value?: string) => w.t.ws.click(user, { channel: INC, ts }, actionId, value === undefined ? {} : { value });
/** Clicks and waits for the ephemeral answer the bot posts to the clicker. */
async function answer(user: string, ts: string, actionId: string, value?: string): Promise<string> {
  const before = w.t.ws.state.data.ephemerals.length;
  await click(user, ts, actionId, value);
  return waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === user)?.text);
}
const events = (incidentId: number) => w.t.ops.store.events(incidentId);
const stepState = async (runId: number, stepId: string) => (await w.t.ops.runs.runs.getStep(runId, stepId))?.state;
const startedAt = async () => (await w.redis.inspect()).State.StartedAt;

describe.skipIf(!hasDocker)('remediation safety through the local Web API', () => {
  beforeAll(async () => {
    w = await startRunsWorld({ clock, streamLines: 30, streamSleep: '0.1', file: { permissions: { runners: ['U0ALICE', 'U0BOB', 'U0CAROL'], responders: ['S0ONCALL'], approvalMinutes: 10 } } });
  }, 60_000);
  afterAll(() => w?.stop());

  it('two clicks on Run, by one person or two, execute the step once', async () => {
    const { run, runId } = await startRun();
    const before = w.t.ws.state.data.ephemerals.length;
    await Promise.all([click('U0ALICE', run.ts, 'run.step.run', `${runId}:stream`), click('U0BOB', run.ts, 'run.step.run', `${runId}:stream`), click('U0ALICE', run.ts, 'run.step.run', `${runId}:stream`)]);
    await waitFor(async () => (await stepState(runId, 'stream')) === 'succeeded', 20_000);
    expect(await w.t.ops.runs.runs.attempts(runId, 'stream')).toHaveLength(1);
    const refusals = await waitFor(() => {
      const r = w.t.ws.state.data.ephemerals.slice(before).filter((e) => e.user !== 'USLACKBOT').map((e) => e.text);
      return r.length >= 2 && r;
    });
    expect(refusals).toHaveLength(2);
    for (const r of refusals) expect(r).toMatch(/already|is running/);
  }, 30_000);

  it('refuses users without permission with an ephemeral reason and an audit record', async () => {
    const { run, runId, incidentId, card } = await startRun();
    expect(await answer('U0DAVE', run.ts, 'run.step.run', `${runId}:ping`)).toMatch(/not among the runners/);
    expect(await answer('U0CAROL', run.ts, 'run.step.run', `${runId}:restart`)).toMatch(/Only the responders configured in opsroom.yml may run dangerous steps/);
    expect(w.t.ws.state.data.views.filter((v) => v.user === 'U0CAROL' && (v as any).callback_id === 'run.confirm')).toHaveLength(0);
    const slash = await w.t.ws.slash('U0DAVE', INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
    expect(slash.json.text).toMatch(/not among the runners/);
    expect(await stepState(runId, 'ping')).toBe('pending');
    expect(await stepState(runId, 'restart')).toBe('pending');
    const denials = (await events(incidentId)).filter((e) => e.kind === 'denial');
    expect(denials.map((e) => `${e.actor} ${e.text}`)).toEqual([
      expect.stringMatching(/^U0DAVE refused run a step: You are not among the runners/),
      expect.stringMatching(/^U0CAROL refused run a step: Only the responders/),
      expect.stringMatching(/^U0DAVE refused start runbook redis-down/),
    ]);
  }, 30_000);

  it('ignores what a tampered button says: the message decides the run, the step decides the rules', async () => {
    const { run, runId, incidentId } = await startRun();
    expect(await answer('U0ALICE', run.ts, 'run.step.run', `999:ping`)).toMatch(/does not belong to the message/);
    // A runner relabels a harmless button as the dangerous restart: the restart's rules apply.
    expect(await answer('U0CAROL', run.ts, 'run.step.run', `${runId}:restart`)).toMatch(/may run dangerous steps/);
    expect(await answer('U0ALICE', run.ts, 'run.diagnostics', String(runId + 1))).toMatch(/does not belong/);
    expect(await stepState(runId, 'ping')).toBe('pending');
    const denials = (await events(incidentId)).filter((e) => e.kind === 'denial');
    expect(denials).toHaveLength(3);
  }, 30_000);

  it('a dangerous step: exact command confirmed, own approval refused, expired approval refused, another responder approves', async () => {
    const { run, runId, incidentId, card } = await startRun();
    const first = await startedAt();
    await click('U0ALICE', run.ts, 'run.step.run', `${runId}:restart`);
    const modal = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm').at(-1));
    const shown = visibleText(modal as any);
    expect(shown).toContain('docker restart blatam/redis');
    expect(shown).toContain('docker:blatam/redis');
    expect(shown).toContain('pattern=oom');
    expect(shown).toMatch(/second responder/);
    await w.t.ws.submitView('U0ALICE', modal.id, {});
    const request = await waitFor(() => threadOf(w.t, card.ts).find((m) => m.text.startsWith('Approval needed')));

    expect(await answer('U0ALICE', request.ts, 'run.approve', requestId(request))).toMatch(/You asked for this step; a second responder must approve it/);
    expect(await answer('U0BOB', request.ts, 'run.approve', String(Number(requestId(request)) + 100))).toMatch(/does not belong/);
    clock.advance(11 * 60_000);
    const other = await startRun();
    await click('U0ALICE', other.run.ts, 'run.step.run', `${other.runId}:restart`);
    const otherModal = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && v.id !== modal.id && (v as any).callback_id === 'run.confirm').at(-1));
    await w.t.ws.submitView('U0ALICE', otherModal.id, {});
    const otherRequest = await waitFor(() => threadOf(w.t, other.card.ts).find((m) => m.text.startsWith('Approval needed')));
    expect(await answer('U0BOB', request.ts, 'run.approve', requestId(request))).toMatch(/expired/);
    // The outcome goes out through the outbox.
    await w.t.settle();
    expect(visibleText(threadOf(w.t, card.ts).find((m) => m.ts === request.ts)!)).toMatch(/Expired unapproved/);
    // The sweep any replica may run (under a lease) expires the rest, once, with no click needed.
    clock.advance(11 * 60_000);
    expect(await w.t.ops.runs.remediation.expireDue()).toBe(1);
    expect(await w.t.ops.runs.remediation.expireDue()).toBe(0);
    await w.t.settle();
    expect(visibleText(threadOf(w.t, other.card.ts).find((m) => m.ts === otherRequest.ts)!)).toMatch(/Expired unapproved/);
    expect(await stepState(runId, 'restart')).toBe('pending');
    expect(await startedAt()).toBe(first);

    // Ask again; Bob approves in time; the container really restarts.
    await click('U0ALICE', run.ts, 'run.step.run', `${runId}:restart`);
    const again = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm' && ![modal.id, otherModal.id].includes(v.id)).at(-1));
    await w.t.ws.submitView('U0ALICE', again.id, {});
    const second = await waitFor(() => threadOf(w.t, card.ts).filter((m) => m.text.startsWith('Approval needed')).find((m) => m.ts !== request.ts));
    await click('U0BOB', second.ts, 'run.approve', requestId(second));
    await waitFor(async () => (await stepState(runId, 'restart')) === 'succeeded', 20_000);
    expect(await startedAt()).not.toBe(first);
    const attempt = (await w.t.ops.runs.runs.attempts(runId, 'restart'))[0];
    expect(attempt.actor).toBe('U0ALICE');
    expect(attempt.approvalRefs).toEqual(expect.arrayContaining(['confirmed:U0ALICE', 'approved:U0BOB']));
    await w.t.ops.runs.board.settle();
    expect(visibleText(runCardOf(w.t, card.ts, runId)!)).toMatch(/Reiniciar Redis\*[^\n]*\n[^\n]*succeeded[^\n]*by <@U0ALICE>, approved by <@U0BOB>/);
    const timeline = (await events(incidentId)).map((e) => `${e.kind} ${e.actor} ${e.text}`).join('\n');
    expect(timeline).toMatch(/approval U0ALICE asked a second responder to approve `restart`/);
    expect(timeline).toMatch(/denial U0ALICE refused approve a dangerous step: You asked for this step/);
    expect(timeline).toMatch(/approval opsroom request \d+ \(`restart`\) expired/);
    expect(timeline).toMatch(/approval U0BOB approved <@U0ALICE>'s request \d+ to run `restart`/);
    expect(timeline).toMatch(/step U0ALICE `restart` on `docker:blatam\/redis`: succeeded .*approved by <@U0BOB>/);
  }, 60_000);

  it('streams output under a 429 storm: bounded edits, newest state last, never a backlog', async () => {
    const { run, runId, card } = await startRun();
    const before = w.t.ws.calls('chat.update').length;
    await click('U0ALICE', run.ts, 'run.step.run', `${runId}:stream`);
    // Once the output message streams, every chat.update fails with 429 three times in a row.
    await waitFor(() => visibleText(outputsOf(w.t, card.ts, 'stream').at(-1) ?? {}).includes('line 2 of'), 10_000);
    w.t.ws.failNext('chat.update', { status: 429, retryAfter: 1 }, 3);
    await waitFor(async () => (await stepState(runId, 'stream')) === 'succeeded', 30_000);
    await w.t.ops.runs.board.settle();
    // One message for the attempt, edited in place.
    expect(outputsOf(w.t, card.ts, 'stream')).toHaveLength(1);
    const out = outputsOf(w.t, card.ts, 'stream').at(-1)!;
    const text = visibleText(out);
    expect(text).toContain('line 30 of the activity log');
    expect(text).toMatch(/succeeded in/);
    const calls = w.t.ws.calls('chat.update').slice(before).filter((c) => c.args.ts === out.ts);
    const ok = calls.filter((c) => c.status === 200 && (c.response as any)?.ok);
    const limited = calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // 30 output chunks arrived over ~3 s; edits are at most about one per second (plus the final one).
    const seconds = (calls.at(-1)!.at.getTime() - calls[0].at.getTime()) / 1000;
    expect(ok.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    expect(ok.length).toBeLessThan(30);
    // The last successful edit carries the final output.
    expect(JSON.stringify(ok.at(-1)!.args)).toContain('line 30 of the activity log');
  }, 60_000);

  it('keeps secrets out of the thread, the timeline and the store; long output opens in full', async () => {
    const { run, runId, card, incidentId } = await startRun();
    await click('U0ALICE', run.ts, 'run.step.run', `${runId}:leak`);
    await click('U0ALICE', run.ts, 'run.step.run', `${runId}:big`);
    await waitFor(async () => (await stepState(runId, 'leak')) === 'succeeded' && (await stepState(runId, 'big')) === 'succeeded', 20_000);
    await w.t.ops.runs.board.settle();
    const leak = outputsOf(w.t, card.ts, 'leak').at(-1)!;
    expect(visibleText(leak)).toMatch(/requirepass \[REDACTED\]|requirepass \*+/);
    const everything = JSON.stringify([w.t.ws.state.data.messages, await events(incidentId), await w.t.ops.runs.runs.attempts(runId)]);
    expect(everything).not.toContain(SECRET);
    const big = outputsOf(w.t, card.ts, 'big').at(-1)!;
    expect(visibleText(big)).toContain('3000');
    expect(visibleText(big)).not.toMatch(/^1\n2\n3\n/m);
    await click('U0CAROL', big.ts, 'run.output.full');
    const modal = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0CAROL' && (v as any).callback_id === 'run.output').at(-1));
    const full = visibleText(modal as any);
    expect(full).toMatch(/(^|\n|```)1\n2\n3\n/);
    expect(full).toContain('2999\n3000');
  }, 30_000);

  it('one restart per target at a time: a second run gets the busy target, not a parallel restart', async () => {
    // P3 needs no second approval: a confirmation is enough.
    const open = async (title: string) => {
      const card = await openIncident(w.t, `open P3 ${title}`);
      const r = await w.t.ws.slash('U0ALICE', INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
      const runId = Number(/run (\d+)/.exec(r.json.text)![1]);
      return { card, runId, run: await waitFor(() => runCardOf(w.t, card.ts, runId)) };
    };
    const a = await open('Redis lento A');
    const b = await open('Redis lento B');
    const confirm = async (x: { run: { ts: string }; runId: number }) => {
      const seen = new Set(w.t.ws.state.data.views.map((v) => v.id));
      await click('U0ALICE', x.run.ts, 'run.step.run', `${x.runId}:restart`);
      const modal = await waitFor(() => w.t.ws.state.data.views.find((v) => v.user === 'U0ALICE' && !seen.has(v.id) && (v as any).callback_id === 'run.confirm'));
      expect(visibleText(modal as any)).not.toMatch(/second responder/);
      const before = w.t.ws.state.data.ephemerals.length;
      await w.t.ws.submitView('U0ALICE', modal.id, {});
      return () => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === 'U0ALICE')?.text;
    };
    await confirm(a);
    await waitFor(async () => (await stepState(a.runId, 'restart')) === 'running');
    const refusal = await confirm(b);
    expect(await waitFor(refusal)).toMatch(/docker:blatam\/redis is busy \(run \d+, step restart\)/);
    expect(await stepState(b.runId, 'restart')).toBe('pending');
    await waitFor(async () => (await stepState(a.runId, 'restart')) === 'succeeded', 20_000);
  }, 60_000);

  it('refuses to run steps once the incident is resolved', async () => {
    const { run, runId, incidentId } = await startRun();
    await w.t.ws.slash('U0ALICE', GEN, `resolve INC-${incidentId} fixed by hand`);
    expect(await answer('U0ALICE', run.ts, 'run.step.run', `${runId}:ping`)).toMatch(/is resolved; reopen it/);
    expect(await stepState(runId, 'ping')).toBe('pending');
  }, 30_000);

  it('/runbook list filters the catalog; /runbook run outside a thread is a routine run in that channel', async () => {
    const list = await w.t.ws.slash('U0CAROL', GEN, 'list redis', { command: '/runbook' });
    expect(visibleText(list.json)).toContain('redis-down');
    const none = await w.t.ws.slash('U0CAROL', GEN, 'list nothing-like-this', { command: '/runbook' });
    expect(visibleText(none.json)).toMatch(/No runbook matches/);
    const nowhere = await w.t.ws.slash('U0CAROL', GEN, 'run redis-down pattern=oom', { command: '/runbook' });
    expect(nowhere.json.text).toMatch(/^Started \*Redis caído\* \(run \d+\) in <#C0GENERAL>/);
    const bad = await w.t.ws.slash('U0CAROL', GEN, 'run INC-1 redis-down pattern=NOPE', { command: '/runbook' });
    expect(bad.json.text).toMatch(/parameter "pattern" must match/);
    const unknown = await w.t.ws.slash('U0CAROL', GEN, 'run INC-1 nope-runbook', { command: '/runbook' });
    expect(unknown.json.text).toMatch(/There is no runbook `nope-runbook`/);
    const malformed = await w.t.ws.slash('U0CAROL', GEN, 'run INC-1 redis-down pattern', { command: '/runbook' });
    expect(malformed.json.text).toMatch(/"pattern" is not name=value/);
    // A missing required parameter opens the form, with what was given already filled in.
    await w.t.ws.slash('U0CAROL', GEN, 'run INC-1 redis-down lines=7', { command: '/runbook' });
    const form = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0CAROL' && (v as any).callback_id === 'run.params').at(-1));
    const inputs = (form as any).blocks.filter((b: any) => b.type === 'input');
    expect(inputs.map((b: any) => [b.block_id, b.element.type, b.optional, b.element.initial_value ?? null])).toEqual([
      ['param.lines', 'number_input', true, '7'],
      ['param.pattern', 'plain_text_input', false, null],
    ]);
    const refused = await w.t.ws.submitView('U0CAROL', form.id, { 'param.pattern': 'UPPER', 'param.lines': '900' });
    expect(refused.errors).toMatchObject({ 'param.pattern': expect.stringMatching(/must match/), 'param.lines': expect.stringMatching(/at most 500/) });
  }, 30_000);
});

function requestId(m: { blocks?: any[] }): string {
  const b = (m.blocks ?? []).find((x) => x.type === 'actions');
  return b.elements[0].value;
}
