/** Rejecting a dangerous step's approval request asks why; the reason shows on the request and the timeline. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { INC, openIncident, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
const clock = new ManualClock(new Date());
let w: RunsWorld;
let n = 0;

const click = (user: string, ts: string, actionId: string, value: string) => w.t.ws.click(user, { channel: INC, ts }, actionId, { value });
const viewsOf = (user: string, callback: string) => w.t.ws.state.data.views.filter((v) => v.user === user && (v as any).callback_id === callback);
const requestId = (m: any) => (m.blocks ?? []).find((b: any) => b.type === 'actions').elements[0].value as string;

/** A P1 in which Alice asked for the restart: the approval request message. */
async function requested() {
  const card = await openIncident(w.t, `open P1 Redis caído ${++n}`, 'U0ALICE');
  const r = await w.t.ws.slash('U0ALICE', INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
  const runId = Number(/run (\d+)/.exec(r.json.text)![1]);
  const run = await waitFor(() => runCardOf(w.t, card.ts, runId));
  const seen = viewsOf('U0ALICE', 'run.confirm').length;
  await click('U0ALICE', run.ts, 'run.step.run', `${runId}:restart`);
  const modal = await waitFor(() => viewsOf('U0ALICE', 'run.confirm')[seen]);
  await w.t.ws.submitView('U0ALICE', modal.id, {});
  const request = await waitFor(() => threadOf(w.t, card.ts).find((m) => m.text.startsWith('Approval needed')));
  const incidentId = (await w.t.ops.runs.runs.getRun(runId))!.incidentId!;
  return { card, runId, request, incidentId };
}

describe.skipIf(!hasDocker)('Reject asks for a reason', () => {
  beforeAll(async () => {
    w = await startRunsWorld({ clock, file: { permissions: { runners: ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'], responders: ['S0ONCALL'], approvalMinutes: 10 } } });
  }, 60_000);
  afterAll(() => w?.stop());

  it('opens a form; an empty reason is refused in the form; the reason is on the request and the timeline', async () => {
    const { card, runId, request, incidentId } = await requested();
    await click('U0BOB', request.ts, 'run.reject', requestId(request));
    const form = await waitFor(() => viewsOf('U0BOB', 'run.reject').at(-1));
    expect(visibleText(form as any)).toContain('`restart`');
    const empty = await w.t.ws.submitView('U0BOB', form.id, { reason: '  ' });
    expect(empty.errors).toEqual({ reason: 'Say why, in a few words.' });
    expect((await w.t.ops.runs.approvals.getApproval(Number(requestId(request))))?.state).toBe('pending');

    await w.t.ws.submitView('U0BOB', form.id, { reason: 'Not during the *backup* <!channel>' });
    await waitFor(async () => (await w.t.ops.runs.approvals.getApproval(Number(requestId(request))))?.state === 'rejected');
    const settled = await waitFor(() => {
      const m = threadOf(w.t, card.ts).find((x) => x.ts === request.ts)!;
      return /Rejected by/.test(visibleText(m)) && m;
    });
    const shown = visibleText(settled);
    expect(shown).toContain('Rejected by <@U0BOB>: Not during the');
    expect(shown).not.toContain('<!channel>');
    expect((await w.t.ops.runs.runs.getStep(runId, 'restart'))?.state).toBe('pending');
    const line = (await w.t.ops.store.events(incidentId)).find((e) => e.kind === 'approval' && /rejected/.test(e.text));
    expect(line?.actor).toBe('U0BOB');
    expect(line?.text).toContain('Not during the *backup*');
  }, 40_000);

  it('a bystander gets no form, and the requester withdraws with a reason', async () => {
    const { card, request } = await requested();
    const id = requestId(request);
    const before = w.t.ws.state.data.ephemerals.length;
    await click('U0DAVE', request.ts, 'run.reject', requestId(request));
    const refusal = await waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === 'U0DAVE')?.text);
    expect(refusal).toMatch(/reject/);
    expect(viewsOf('U0DAVE', 'run.reject')).toHaveLength(0);

    await click('U0ALICE', request.ts, 'run.reject', requestId(request));
    const form = await waitFor(() => viewsOf('U0ALICE', 'run.reject').at(-1));
    expect(visibleText(form as any)).toContain('Withdraw');
    await w.t.ws.submitView('U0ALICE', form.id, { reason: 'Wrong container' });
    await waitFor(() => /Withdrawn by <@U0ALICE>: Wrong container/.test(visibleText(threadOf(w.t, card.ts).find((x) => x.ts === request.ts)!)));
    // Decided: the request has no buttons left, and the step was never run.
    expect(threadOf(w.t, card.ts).find((x) => x.ts === request.ts)!.blocks?.some((b: any) => b.type === 'actions')).toBe(false);
    expect(id).toMatch(/^\d+$/);
  }, 40_000);
});
