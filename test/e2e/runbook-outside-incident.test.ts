/**
 * `/runbook run` outside an incident, through the real Bolt app and the local workspace, against
 * the demo environment's real Redis (a private dockerd, compose-labelled blatam/redis): the run
 * card goes to the system's operations channel (or where it was typed), Run diagnostics runs the
 * read-only checks with their output redacted, the dangerous restart is refused to a bystander
 * and runs once a responder confirms it, and the audit log has all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { auditRecords } from '#ops/audit.js';
import { visibleText } from '../support/opsroom.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, SECRET, startRunsWorld, type RunsWorld } from '../slack/support/runs-world.js';
import { MORNING } from '../slack/support/routines.js';

function demoAvailable(): boolean {
  if (!dockerAvailable()) return false;
  const missing = [...new Set(['web', 'redis', 'postgres', 'prometheus'].flatMap((k) => missingFor(k as never)))];
  if (missing.length === 0) return true;
  const msg = `demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING /runbook run outside an incident: ${msg} ***\n`);
  return false;
}

const ready = demoAvailable();
let w: RunsWorld;
let demo: Demo | undefined;
let demoDir: string;

beforeAll(async () => {
  if (!ready) return;
  demoDir = mkdtempSync(join(tmpdir(), 'opsroom-adhoc-demo-'));
  demo = await demoUp({ statePath: join(demoDir, 'state.json'), layout: 'isolated', projects: ['blatam'], privateEngine: true });
  const engine = demo.state.engine;
  if (engine.kind !== 'private') throw new Error('expected a private demo engine');
  const redis = demo.docker.getContainer(demo.endpoint('blatam/redis').container);
  w = await startRunsWorld({
    engine: { socketPath: engine.socketPath, redis, stop: async () => { await demo?.down(); rmSync(demoDir, { recursive: true, force: true }); } },
    ping: 'redis-cli ping',
    file: { routines: { channels: { ops: GEN }, schedules: {}, tickSeconds: 15, graceMinutes: 10 } },
    // The ops system's routine; its operations channel is C0GENERAL.
    runbooks: { 'ops/morning.yml': MORNING },
  });
  w.t.ops.dispatcher.start();
}, 180_000);
afterAll(async () => {
  if (w) await w.stop();
  else {
    await demo?.down();
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
  }
});

/** Types the command and returns what the person was told (the ack, or the later ephemeral). */
async function runbook(user: string, channel: string, text: string): Promise<string> {
  const before = w.t.ws.state.data.ephemerals.length;
  const r = await w.t.ws.slash(user, channel, text, { command: '/runbook' });
  const now = visibleText(r.json ?? {});
  if (now) return now;
  return waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === user)?.text);
}
const cardOf = (channel: string, runId: number) => w.t.messages(channel).find((m) => (m.text ?? '').startsWith('Runbook ') && m.text.includes(`(run ${runId})`));
const step = (runId: number, id: string) => w.t.ops.runs.runs.getStep(runId, id);

describe.skipIf(!ready)('/runbook run outside an incident', () => {
  it('a missing parameter is named; nothing starts', async () => {
    expect(await runbook('U0CAROL', GEN, 'run redis-down')).toMatch(/needs pattern=…/);
    expect(await w.t.ops.runs.runs.listRuns()).toHaveLength(0);
  });

  it('runs in the channel it was typed in when the system has no operations channel: diagnostics, redaction, a confirmed restart, the audit', async () => {
    expect(await runbook('U0CAROL', GEN, 'run redis-down pattern=oom')).toMatch(/Started \*Redis caído\* \(run 1\) in <#C0GENERAL>/);
    const card = await waitFor(() => cardOf(GEN, 1));
    expect(await w.t.ops.store.listOpen()).toHaveLength(0);

    await w.t.ws.click('U0CAROL', { channel: GEN, ts: card.ts }, 'run.diagnostics', { value: '1' });
    await waitFor(async () => (await step(1, 'leak'))?.state === 'succeeded', 30_000);
    expect((await step(1, 'ping'))?.state).toBe('succeeded');
    expect((await w.t.ops.runs.runs.attempts(1, 'ping'))[0].output).toContain('PONG');
    expect((await step(1, 'grep'))?.state).toBe('failed');
    await w.t.ops.runs.board.settle();
    const everything = JSON.stringify(w.t.ws.state.data.messages);
    expect(everything).toContain('requirepass');
    expect(everything).not.toContain(SECRET);

    const before = (await w.redis.inspect()).State.StartedAt;
    await w.t.ws.click('U0DAVE', { channel: GEN, ts: card.ts }, 'run.step.run', { value: '1:restart' });
    await waitFor(() => w.t.ws.state.data.ephemerals.find((e) => e.ephemeral_for === 'U0DAVE' && /may run dangerous steps/.test(e.text ?? '')));
    expect((await step(1, 'restart'))?.state).toBe('pending');
    await w.t.ws.click('U0ALICE', { channel: GEN, ts: card.ts }, 'run.step.run', { value: '1:restart' });
    const modal = await waitFor(() => w.t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm').at(-1));
    expect(visibleText(modal as never)).toContain('docker restart blatam/redis');
    await w.t.ws.submitView('U0ALICE', modal.id, {});
    await waitFor(async () => (await step(1, 'restart'))?.state === 'succeeded', 30_000);
    expect((await w.redis.inspect()).State.StartedAt).not.toBe(before);

    const audit = await auditRecords(w.t.ops.database, new Date(0));
    expect(audit.find((a) => a.action === 'run.started' && a.runId === 1)).toMatchObject({ actor: 'U0CAROL', incidentId: null });
    expect(audit.find((a) => a.action === 'step.run' && a.stepId === 'restart')).toMatchObject({ actor: 'U0ALICE', target: 'docker:blatam/redis', result: 'succeeded' });
    expect(audit.find((a) => a.action === 'step.run' && a.stepId === 'ping')).toMatchObject({ actor: 'U0CAROL', result: 'succeeded' });
  }, 90_000);

  it("goes to the system's operations channel when it has one", async () => {
    expect(await runbook('U0CAROL', INC, 'run ops/morning')).toMatch(/Started \*Rutina matutina\* \(run 2\) in <#C0GENERAL>/);
    await waitFor(() => cardOf(GEN, 2));
    expect(cardOf(INC, 2)).toBeUndefined();
  });

  it('refuses a dangerous step outside incidents while an incident that needs two responders is open', async () => {
    await w.t.ws.slash('U0BOB', GEN, 'open P1 Redis down everywhere');
    expect(await runbook('U0CAROL', GEN, 'run redis-down pattern=oom')).toMatch(/\(run 3\)/);
    const card = await waitFor(() => cardOf(GEN, 3));
    const before = (await w.redis.inspect()).State.StartedAt;
    const seen = new Set(w.t.ws.state.data.views.map((v) => v.id));
    await w.t.ws.click('U0ALICE', { channel: GEN, ts: card.ts }, 'run.step.run', { value: '3:restart' });
    const modal = await waitFor(() => w.t.ws.state.data.views.find((v) => !seen.has(v.id) && v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm'));
    await w.t.ws.submitView('U0ALICE', modal.id, {});
    await waitFor(() => JSON.stringify(w.t.ws.state.data).includes("needs a second responder's approval: run this step from its thread"));
    expect((await step(3, 'restart'))?.state).toBe('pending');
    expect((await w.redis.inspect()).State.StartedAt).toBe(before);
  }, 60_000);
});
