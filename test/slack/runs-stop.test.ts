/**
 * Stop on a running step's output message, through the real Bolt app and a real Docker engine:
 * the starter or a responder stops a `sleep 300`, the process in the container is killed, the step
 * ends interrupted "stopped by", the timeline says who. A bystander is refused. A stop stored by
 * another replica reaches the replica running the step.
 */
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEngine } from '#core/runs/engine.js';
import type { StepRunner } from '#core/runs/step-runner.js';
import { openDatabase, type Database } from '#store/db.js';
import { KyselyRunStore } from '#store/runs.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { INC, openIncident, outputsOf, runCardOf, startRunsWorld, type RunsWorld } from './support/runs-world.js';

const HANG = `
title: Hung command
match: { keywords: [hung] }
docker: { project: blatam }
steps:
  - id: hang
    title: Wait for the queue
    read_only: true
    docker: { service: redis, exec: [sleep, "300"] }
    timeout: 10m
`;

const hasDocker = dockerAvailable();
let w: RunsWorld;
let n = 0;

/** The processes in the container whose command line is exactly `sleep 300`. */
async function sleepers(c: Docker.Container): Promise<number> {
  const exec = await c.exec({ Cmd: ['ps', '-o', 'args'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((r) => { stream.on('data', (b: Buffer) => chunks.push(b)); stream.on('end', () => r()); });
  return Buffer.concat(chunks).toString('latin1').split('\n').filter((l) => /(^|\W)sleep 300\s*$/.test(l)).length;
}

const click = (user: string, ts: string, actionId: string, value?: string) => w.t.ws.click(user, { channel: INC, ts }, actionId, value === undefined ? {} : { value });
const stepState = async (runId: number, stepId: string) => (await w.t.ops.runs.runs.getStep(runId, stepId))?.state;

/** Opens an incident, starts the runbook as `user` and runs `hang` until its output message shows Stop. */
async function hanging(user: string) {
  const card = await openIncident(w.t, `open P3 Hung queue ${++n}`, user);
  const r = await w.t.ws.slash(user, INC, 'run hung', { command: '/runbook', threadTs: card.ts });
  const runId = Number(/run (\d+)/.exec(r.json?.text ?? '')?.[1]);
  const runCard = await waitFor(() => runCardOf(w.t, card.ts, runId));
  await click(user, runCard.ts, 'run.step.run', `${runId}:hang`);
  await waitFor(async () => (await sleepers(w.redis)) === 1, 15_000);
  const out = await waitFor(() => outputsOf(w.t, card.ts, 'hang').find((m) => JSON.stringify(m.blocks).includes('run.step.stop')), 15_000);
  const incidentId = (await w.t.ops.runs.runs.getRun(runId))!.incidentId!;
  return { card, runId, out, incidentId };
}

describe.skipIf(!hasDocker)('stopping a running step', () => {
  beforeAll(async () => {
    w = await startRunsWorld({ runbooks: { 'hung.yml': HANG }, file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } } });
  }, 60_000);
  afterAll(() => w?.stop());

  it('the starter stops a sleep 300: the process is gone, the step is interrupted, the timeline says who', async () => {
    const { card, runId, out, incidentId } = await hanging('U0CAROL');
    await click('U0CAROL', out.ts, 'run.step.stop', `${runId}:hang:1`);
    await waitFor(async () => (await stepState(runId, 'hang')) === 'interrupted', 15_000);
    expect(await sleepers(w.redis)).toBe(0);
    const [attempt] = await w.t.ops.runs.runs.attempts(runId, 'hang');
    expect(attempt.state).toBe('interrupted');
    expect(attempt.error).toBe('stopped by U0CAROL');
    const line = (await w.t.ops.store.events(incidentId)).find((e) => e.kind === 'step' && (e.data as { stepId?: string })?.stepId === 'hang');
    expect(line?.actor).toBe('U0CAROL');
    expect(line?.text).toMatch(/^`hang` on `docker:blatam\/redis`: stopped by <@U0CAROL> after \d+\.\d s — `docker exec blatam\/redis sleep 300`$/);
    await w.t.ops.runs.board.settle();
    const final = outputsOf(w.t, card.ts, 'hang').find((m) => m.ts === out.ts)!;
    expect(visibleText(final)).toMatch(/stopped by/);
    expect(JSON.stringify(final.blocks)).not.toContain('run.step.stop');
    // The card offers Retry again.
    const rc = runCardOf(w.t, card.ts, runId)!;
    expect(JSON.stringify(rc.blocks)).toContain(`"value":"${runId}:hang"`);
    expect(JSON.stringify(rc.blocks)).toContain('run.step.retry');
  }, 60_000);

  it('a bystander is refused and recorded; a responder may stop someone else\'s step', async () => {
    const { runId, out, incidentId } = await hanging('U0CAROL');
    const before = w.t.ws.state.data.ephemerals.length;
    await click('U0DAVE', out.ts, 'run.step.stop', `${runId}:hang:1`);
    const refusal = await waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === 'U0DAVE')?.text);
    expect(refusal).toMatch(/Only the person who started this step or the responders/);
    const denial = (await w.t.ops.store.events(incidentId)).find((e) => e.kind === 'denial');
    expect(denial?.actor).toBe('U0DAVE');
    expect(denial?.text).toMatch(/^refused stop a step/);
    expect(await stepState(runId, 'hang')).toBe('running');
    expect(await sleepers(w.redis)).toBe(1);
    // A tampered value naming another attempt is refused too.
    await click('U0BOB', out.ts, 'run.step.stop', `${runId}:hang:2`);
    await waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === 'U0BOB')?.text);
    expect(await stepState(runId, 'hang')).toBe('running');
    await click('U0BOB', out.ts, 'run.step.stop', `${runId}:hang:1`);
    await waitFor(async () => (await stepState(runId, 'hang')) === 'interrupted', 15_000);
    expect(await sleepers(w.redis)).toBe(0);
    expect((await w.t.ops.runs.runs.attempts(runId, 'hang'))[0].error).toBe('stopped by U0BOB');
  }, 60_000);

  it('the run card offers Stop while the step runs; a responder stops it from there', async () => {
    const { card, runId } = await hanging('U0CAROL');
    const rc = await waitFor(() => {
      const m = runCardOf(w.t, card.ts, runId);
      return m && JSON.stringify(m.blocks).includes('"action_id":"run.step.stop"') && m;
    }, 10_000);
    await click('U0BOB', rc.ts, 'run.step.stop', `${runId}:hang`);
    await waitFor(async () => (await stepState(runId, 'hang')) === 'interrupted', 15_000);
    expect(await sleepers(w.redis)).toBe(0);
    expect((await w.t.ops.runs.runs.attempts(runId, 'hang'))[0].error).toBe('stopped by U0BOB');
    await w.t.ops.runs.board.settle();
    expect(JSON.stringify(runCardOf(w.t, card.ts, runId)!.blocks)).not.toContain('run.step.stop');
  }, 60_000);

  it('a stop stored by another replica reaches the one running the step within its poll', async () => {
    const { runId } = await hanging('U0CAROL');
    // A second replica on the same database: it runs nothing of this step; its stop is only stored.
    let other: Database | undefined;
    try {
      other = await openDatabase(`sqlite:${join(w.dir, 'opsroom.db')}`);
      const store = new KyselyRunStore(other);
      const idle: StepRunner = { kinds: [], run: () => Promise.reject(new Error('not here')) };
      const replica = new RunEngine({ store, stops: store, runner: idle, instanceId: 'replica-b' });
      expect(replica.isRunningHere(runId, 'hang')).toBe(false);
      await replica.requestStop(runId, 'hang', 'U0ALICE');
      await waitFor(async () => (await stepState(runId, 'hang')) === 'interrupted', 10_000);
      expect(await sleepers(w.redis)).toBe(0);
      expect((await w.t.ops.runs.runs.attempts(runId, 'hang'))[0].error).toBe('stopped by U0ALICE');
      await expect(replica.requestStop(runId, 'hang', 'U0ALICE')).rejects.toThrow(/not running/);
    } finally {
      await other?.close();
    }
  }, 60_000);
});
