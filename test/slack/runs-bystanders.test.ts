/**
 * Bystanders cannot grant themselves the right to change production: opening an incident, taking
 * it over, acknowledging it or pairing up for the two-person rule gives a person who is not a
 * configured responder no dangerous step. Through the real Bolt app with signed requests, on a real
 * Docker engine whose container must not restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, openIncident, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
let w: RunsWorld;

const click = (user: string, ts: string, actionId: string, value?: string) => w.t.ws.click(user, { channel: INC, ts }, actionId, value === undefined ? {} : { value });
async function answer(user: string, ts: string, actionId: string, value?: string): Promise<string> {
  const before = w.t.ws.state.data.ephemerals.length;
  await click(user, ts, actionId, value);
  return waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === user)?.text);
}
async function startRun(user: string, severity: string, title: string) {
  const card = await openIncident(w.t, `open ${severity} ${title}`, user);
  const r = await w.t.ws.slash(user, INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
  const runId = Number(/run (\d+)/.exec(r.json.text)![1]);
  const run = await waitFor(() => runCardOf(w.t, card.ts, runId));
  const key = /^(INC-\d+)/.exec(card.text)![1];
  return { card, run, runId, key };
}
const startedAt = async () => (await w.redis.inspect()).State.StartedAt;
const stepState = async (runId: number, stepId: string) => (await w.t.ops.runs.runs.getStep(runId, stepId))?.state;
const confirmModals = (user: string) => w.t.ws.state.data.views.filter((v) => v.user === user && (v as any).callback_id === 'run.confirm');

describe.skipIf(!hasDocker)('bystanders and dangerous steps', () => {
  describe('with one configured responder (Alice)', () => {
    beforeAll(async () => { w = await startRunsWorld({ file: { permissions: { runners: [], responders: ['U0ALICE'], approvalMinutes: 10 } } }); }, 60_000);
    afterAll(() => w?.stop());

    it('a bystander who opens a P3 (and so commands it) cannot restart a container alone', async () => {
      const before = await startedAt();
      const { run, runId } = await startRun('U0DAVE', 'P3', 'Redis caído P3');
      expect(await answer('U0DAVE', run.ts, 'run.step.run', `${runId}:restart`)).toMatch(/Only the responders configured in opsroom.yml may run dangerous steps/);
      expect(confirmModals('U0DAVE')).toHaveLength(0);
      // Nor skip it, so that the checks after it would run as if it had been dealt with.
      expect(await answer('U0DAVE', run.ts, 'run.step.skip', `${runId}:restart`)).toMatch(/Only the responders/);
      // Run diagnostics never reaches the restart either.
      await click('U0DAVE', run.ts, 'run.diagnostics', String(runId));
      await waitFor(async () => (await stepState(runId, 'leak')) === 'succeeded', 20_000);
      expect(await stepState(runId, 'restart')).toBe('pending');
      expect(await startedAt()).toBe(before);
    }, 40_000);

    it("two bystanders cannot take over a responder's P1 and pair up for the two-person rule", async () => {
      const before = await startedAt();
      const { card, run, runId, key } = await startRun('U0ALICE', 'P1', 'Redis caído P1');
      // Acknowledging is allowed, but grants nothing.
      expect((await w.t.ws.slash('U0BOB', GEN, `ack ${key}`)).json.text).toMatch(/Acknowledged|acknowledged/);
      for (const who of ['U0BOB', 'U0CAROL']) {
        const r = await w.t.ws.slash(who, GEN, `assign ${key} <@${who}>`);
        expect(r.json.text).toMatch(/Only the incident's commander or the responders configured in opsroom.yml may change its commander/);
      }
      expect((await w.t.ops.incidents.get(Number(key.slice(4)))).commander).toBe('U0ALICE');
      expect(await answer('U0BOB', run.ts, 'run.step.run', `${runId}:restart`)).toMatch(/Only the responders/);

      // Alice asks for the restart; neither bystander's approval counts.
      await click('U0ALICE', run.ts, 'run.step.run', `${runId}:restart`);
      const modal = await waitFor(() => confirmModals('U0ALICE').at(-1));
      await w.t.ws.submitView('U0ALICE', modal.id, {});
      const request = await waitFor(() => threadOf(w.t, card.ts).find((m) => m.text.startsWith('Approval needed')));
      const id = (request.blocks ?? []).find((b: any) => b.type === 'actions').elements[0].value;
      expect(await answer('U0BOB', request.ts, 'run.approve', id)).toMatch(/Only the responders configured in opsroom.yml may approve/);
      expect(await answer('U0CAROL', request.ts, 'run.approve', id)).toMatch(/Only the responders configured in opsroom.yml may approve/);
      expect(await stepState(runId, 'restart')).toBe('pending');
      expect(await startedAt()).toBe(before);
      // The commander may still hand the incident over, and the new commander gains nothing by it.
      expect((await w.t.ws.slash('U0ALICE', GEN, `assign ${key} <@U0CAROL>`)).json.text).not.toMatch(/Only/);
      expect(await answer('U0CAROL', run.ts, 'run.step.run', `${runId}:restart`)).toMatch(/Only the responders/);
      expect(await startedAt()).toBe(before);
    }, 60_000);
  });

  describe('with two responders (Alice and Bob)', () => {
    beforeAll(async () => { w = await startRunsWorld({ file: { permissions: { runners: [], responders: ['U0ALICE', 'U0BOB'], approvalMinutes: 10 } } }); }, 60_000);
    afterAll(() => w?.stop());

    it('one responder cannot lift the two-person rule by lowering the severity', async () => {
      const before = await startedAt();
      const { card, run, runId, key } = await startRun('U0ALICE', 'P1', 'Redis caído bajado');
      const lowered = await w.t.ws.slash('U0ALICE', GEN, `severity ${key} P3`);
      expect(lowered.json.text).not.toMatch(/Unknown|Only/);
      await waitFor(async () => (await w.t.ops.incidents.get(Number(key.slice(4)))).severity === 'P3');
      await click('U0ALICE', run.ts, 'run.step.run', `${runId}:restart`);
      const modal = await waitFor(() => confirmModals('U0ALICE').at(-1));
      await w.t.ws.submitView('U0ALICE', modal.id, {});
      // Still asks a second responder: the incident was P1.
      await waitFor(() => threadOf(w.t, card.ts).find((m) => m.text.startsWith('Approval needed')));
      expect(await stepState(runId, 'restart')).toBe('pending');
      expect(await startedAt()).toBe(before);
    }, 60_000);
  });

  describe('in the local workspace with no responders configured', () => {
    beforeAll(async () => { w = await startRunsWorld({ file: { permissions: { runners: [], responders: [], approvalMinutes: 10 } } }); }, 60_000);
    afterAll(() => w?.stop());

    it('ships its people configured: Carol may run a dangerous step, Dave may not', async () => {
      const { run, runId } = await startRun('U0DAVE', 'P3', 'Redis lento');
      expect(await answer('U0DAVE', run.ts, 'run.step.run', `${runId}:restart`)).toMatch(/Only the responders/);
      await click('U0CAROL', run.ts, 'run.step.run', `${runId}:restart`);
      const modal = await waitFor(() => confirmModals('U0CAROL').at(-1));
      expect(modal).toBeDefined();
    }, 40_000);
  });
});
