/**
 * Run cards, output messages, approval requests and suggestions are posted once, through the real
 * Bolt app and the local Web API: a post whose answer was lost is retried without a second
 * message, and a message whose ref was never stored (the replica died after Slack answered) is
 * found again by its metadata when someone clicks on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { INC, openIncident, outputsOf, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
let w: RunsWorld;
let n = 0;

type Args = { metadata?: { event_type?: string }; [k: string]: unknown };
/**
 * The next postMessage carrying `eventType` reaches Slack, then fails as a lost answer does
 * (`transient`: a network error; else the process dies there). Returns how many were cut.
 */
function loseAnswer(eventType: string, transient: boolean) {
  const chat = w.t.ops.runs.remediation.d.client.chat;
  const real = chat.postMessage.bind(chat);
  let cut = 0;
  chat.postMessage = (async (args: Args) => {
    const r = await real(args as never);
    if (args.metadata?.event_type === eventType && cut === 0) {
      cut++;
      chat.postMessage = real;
      throw Object.assign(new Error(transient ? 'socket hang up' : 'replica killed'), transient ? { code: 'slack_webapi_request_error' } : {});
    }
    return r;
  }) as never;
  return () => cut;
}

/** The next refs.put of a key with `prefix` fails: the message is in Slack, its ref is not stored. */
function loseRef(prefix: string) {
  const refs = w.t.ops.runs.remediation.d.refs;
  const real = refs.put.bind(refs);
  let cut = 0;
  refs.put = async (key, channel, ts) => {
    if (key.startsWith(prefix) && cut === 0) {
      cut++;
      refs.put = real;
      throw new Error('replica killed');
    }
    return real(key, channel, ts);
  };
  return () => cut;
}

const runCards = (cardTs: string) => threadOf(w.t, cardTs).filter((m) => (m.text ?? '').startsWith('Runbook '));
const stepState = async (runId: number, stepId: string) => (await w.t.ops.runs.runs.getStep(runId, stepId))?.state;
const suggestions = (cardTs: string) => threadOf(w.t, cardTs).filter((m) => (m.text ?? '').startsWith('Runbooks that match'));

/** Waits until the run's card effect is due again (the outbox backs off a second), then delivers it. */
async function retryDue(runId: number) {
  await drained((await w.t.ops.runs.runs.getRun(runId))!.incidentId!);
}
/** Delivers the incident's effects, retries included, until none is left. */
async function drained(incidentId: number) {
  await waitFor(async () => {
    await w.t.settle();
    return (await w.t.ops.outbox.forIncident(incidentId)).length === 0;
  }, 15_000);
}

async function start(sev = 'P3') {
  const card = await openIncident(w.t, `open ${sev} Redis caído ${++n}`, 'U0ALICE');
  const r = await w.t.ws.slash('U0ALICE', INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
  return { card, text: String(r.json?.text ?? '') };
}

describe.skipIf(!hasDocker)('run messages posted once', () => {
  beforeAll(async () => {
    w = await startRunsWorld({ file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } } });
  }, 60_000);
  afterAll(() => w?.stop());

  it('a run card whose answer was lost is posted once', async () => {
    const cut = loseAnswer('opsroom_run_card', true);
    const { card, text } = await start();
    expect(text).toMatch(/Started/);
    await w.t.settle();
    expect(cut()).toBe(1);
    const runId = Number(/run (\d+)/.exec(text)![1]);
    // The outbox retries the effect: the card is found by its metadata, not posted again.
    await retryDue(runId);
    expect(runCards(card.ts)).toHaveLength(1);
    expect((await w.t.ops.runs.remediation.d.refs.get(`run:${runId}`))?.ts).toBe(runCards(card.ts)[0].ts);
  }, 30_000);

  it('a Slack outage delays a run card, loses nothing, and the run is usable once it is back', async () => {
    const chat = w.t.ops.runs.remediation.d.client.chat;
    const real = chat.postMessage.bind(chat);
    let refused = 0;
    chat.postMessage = (async (args: Args) => {
      if (args.metadata?.event_type === 'opsroom_run_card') {
        refused++;
        throw Object.assign(new Error('Service Unavailable'), { code: 'slack_webapi_http_error', statusCode: 503 });
      }
      return real(args as never);
    }) as never;
    let started;
    try {
      started = await start();
      expect(started.text).toMatch(/Started/);
      await w.t.settle();
      expect(refused).toBeGreaterThan(0);
      expect(runCards(started.card.ts)).toHaveLength(0);
    } finally {
      chat.postMessage = real;
    }
    const runId = Number(/run (\d+)/.exec(started.text)![1]);
    await retryDue(runId);
    const [rc] = runCards(started.card.ts);
    expect(runCards(started.card.ts)).toHaveLength(1);
    await w.t.ws.click('U0ALICE', { channel: INC, ts: rc.ts }, 'run.step.run', { value: `${runId}:ping` });
    await waitFor(async () => (await stepState(runId, 'ping')) === 'succeeded', 15_000);
  }, 30_000);

  it('a run card whose ref was never stored is found by its metadata when clicked', async () => {
    const cut = loseRef('run:');
    const { card } = await start();
    await w.t.settle();
    expect(cut()).toBe(1);
    const [rc] = await waitFor(() => runCards(card.ts).length === 1 && runCards(card.ts));
    const runId = Number(/\(run (\d+)\)/.exec(rc.text)![1]);
    expect(await w.t.ops.runs.remediation.d.refs.get(`run:${runId}`)).toBeUndefined();
    await w.t.ws.click('U0ALICE', { channel: INC, ts: rc.ts }, 'run.step.run', { value: `${runId}:ping` });
    await waitFor(async () => (await stepState(runId, 'ping')) === 'succeeded', 15_000);
    expect((await w.t.ops.runs.remediation.d.refs.get(`run:${runId}`))?.ts).toBe(rc.ts);
    await w.t.ops.runs.board.settle();
    expect(runCards(card.ts)).toHaveLength(1);
    expect(JSON.stringify(runCardOf(w.t, card.ts, runId)!.blocks)).toContain(':white_check_mark:');
    // The effect's retry finds the ref the click stored: still one card.
    await retryDue(runId);
    expect(runCards(card.ts)).toHaveLength(1);
  }, 30_000);

  it('an output message whose answer was lost is posted once and still edited', async () => {
    const { card, text } = await start();
    const runId = Number(/run (\d+)/.exec(text)![1]);
    const rc = await waitFor(() => runCardOf(w.t, card.ts, runId));
    const cut = loseAnswer('opsroom_run_output', true);
    await w.t.ws.click('U0ALICE', { channel: INC, ts: rc.ts }, 'run.step.run', { value: `${runId}:stream` });
    await waitFor(async () => (await stepState(runId, 'stream')) === 'succeeded', 20_000);
    expect(cut()).toBe(1);
    await waitFor(() => outputsOf(w.t, card.ts, 'stream')[0]?.text === 'stream: succeeded', 15_000);
    await w.t.ops.runs.board.settle();
    expect(outputsOf(w.t, card.ts, 'stream')).toHaveLength(1);
  }, 40_000);

  it('an approval request whose ref was never stored is posted once and can be approved', async () => {
    const { card, text } = await start('P1');
    const runId = Number(/run (\d+)/.exec(text)![1]);
    const rc = await waitFor(() => runCardOf(w.t, card.ts, runId));
    await w.t.ws.click('U0ALICE', { channel: INC, ts: rc.ts }, 'run.step.run', { value: `${runId}:restart` });
    const view = await waitFor(() => w.t.ws.state.data.views.find((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm' && JSON.parse((v as any).private_metadata).runId === runId));
    const cut = loseRef('approval:');
    await w.t.ws.submitView('U0ALICE', view.id);
    const requests = () => threadOf(w.t, card.ts).filter((m) => (m.text ?? '').startsWith('Approval needed'));
    const [req] = await waitFor(() => requests().length === 1 && requests());
    expect(cut()).toBe(1);
    await w.t.ws.click('U0BOB', { channel: INC, ts: req.ts }, 'run.approve');
    await waitFor(async () => (await stepState(runId, 'restart')) === 'succeeded', 20_000);
    // The outcome goes out through the outbox.
    await w.t.settle();
    expect(requests()).toHaveLength(1);
    expect(JSON.stringify(requests()[0].blocks)).toMatch(/Approved by <@U0BOB>/);
  }, 40_000);

  it('a Slack outage delays an approval request and its outcome, and loses neither', async () => {
    const chat = w.t.ops.runs.remediation.d.client.chat;
    const [realPost, realUpdate] = [chat.postMessage.bind(chat), chat.update.bind(chat)];
    const down = () => Object.assign(new Error('Service Unavailable'), { code: 'slack_webapi_http_error', statusCode: 503 });
    const { card, text } = await start('P1');
    const runId = Number(/run (\d+)/.exec(text)![1]);
    const incidentId = (await w.t.ops.runs.runs.getRun(runId))!.incidentId!;
    const rc = await waitFor(() => runCardOf(w.t, card.ts, runId));
    await w.t.ws.click('U0ALICE', { channel: INC, ts: rc.ts }, 'run.step.run', { value: `${runId}:restart` });
    const view = await waitFor(() => w.t.ws.state.data.views.find((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm' && JSON.parse((v as any).private_metadata).runId === runId));
    const requests = () => threadOf(w.t, card.ts).filter((m) => (m.text ?? '').startsWith('Approval needed'));
    let refused = 0;
    chat.postMessage = (async (args: Args) => {
      if (args.metadata?.event_type === 'opsroom_approval') {
        refused++;
        throw down();
      }
      return realPost(args as never);
    }) as never;
    try {
      await w.t.ws.submitView('U0ALICE', view.id);
      await w.t.settle();
      expect(refused).toBeGreaterThan(0);
      expect(requests()).toHaveLength(0);
    } finally {
      chat.postMessage = realPost;
    }
    await drained(incidentId);
    const [req] = requests();
    expect(requests()).toHaveLength(1);
    // Slack fails again while Bob approves: the step runs, the request's outcome waits in the outbox.
    let updates = 0;
    chat.update = (async (args: { ts?: string }) => {
      if (args.ts === req.ts) {
        updates++;
        throw down();
      }
      return realUpdate(args as never);
    }) as never;
    try {
      await w.t.ws.click('U0BOB', { channel: INC, ts: req.ts }, 'run.approve');
      await waitFor(async () => (await stepState(runId, 'restart')) === 'succeeded', 20_000);
      await w.t.settle();
      expect(updates).toBeGreaterThan(0);
      expect(JSON.stringify(requests()[0].blocks)).not.toMatch(/Approved by/);
      expect((await w.t.ops.outbox.forIncident(incidentId)).map((e) => e.payload.type)).toContain('run.approval.settle');
    } finally {
      chat.update = realUpdate;
    }
    await drained(incidentId);
    expect(requests()).toHaveLength(1);
    expect(JSON.stringify(requests()[0].blocks)).toMatch(/Approved by <@U0BOB>/);
  }, 60_000);

  it('suggestions cut off after Slack answered are not posted again; three asks at once post one', async () => {
    const cut = loseAnswer('opsroom_suggestions', false);
    const r = await w.t.ws.slash('U0ALICE', 'C0GENERAL', `open P3 Redis caído ${++n}`);
    const key = /Opened \*(INC-\d+)\*/.exec(r.json?.text ?? '')![1];
    await w.t.settle();
    const card = await waitFor(() => w.t.messages(INC).find((m) => (m.text ?? '').startsWith(`${key} `)));
    await waitFor(() => cut() === 1 && suggestions(card.ts).length === 1);
    const id = Number(key.slice(4));
    const ref = `suggest:${id}:`;
    const stored = async () => (await w.t.ops.database.db.selectFrom('chat_refs' as never).selectAll().execute() as Array<{ key: string }>).filter((x) => x.key.startsWith(ref));
    expect(await stored()).toHaveLength(0);
    // The outbox retries: the message is found by its metadata, not posted twice.
    await drained(id);
    expect(await stored()).toHaveLength(1);
    expect(suggestions(card.ts)).toHaveLength(1);
    // Three asks at once (P2 changes what is said: the line's delivery and two more): one post.
    await w.t.ops.incidents.setSeverity(id, 'U0ALICE', 'P2');
    const incident = (await w.t.ops.store.get(id))!;
    const r3 = w.t.ops.runs.remediation;
    await Promise.all([w.t.settle(), r3.suggest(incident), r3.suggest(incident)]);
    await drained(id);
    expect(await stored()).toHaveLength(2);
    expect(suggestions(card.ts)).toHaveLength(2);
    expect(JSON.stringify(suggestions(card.ts)[1].blocks)).toContain('P2: dangerous steps need');
  }, 40_000);
});
