import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KyselyApprovalStore } from '#store/remediation.js';
import { KyselyRunStore } from '#store/runs.js';
import { step } from '../core/runs/support/scripted-runner.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const run = promisify(execFile);
let t: LocalOpsroom | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

async function audit(args: string[], databaseUrl: string) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, cwd: process.cwd() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('opsroom audit', () => {
  it('exports incident actions, step runs, approvals and denials as JSON lines, oldest first', async () => {
    t = await startLocal();
    const url = `sqlite:${join(t.dir, 'opsroom.db')}`;
    await t.ws.slash('U0ALICE', 'C0GENERAL', 'open P1 Checkout API down');
    await t.settle();
    await t.ws.click('U0BOB', { channel: 'C0INCIDENTS', ts: t.messages('C0INCIDENTS')[0].ts }, 'incident.acknowledge');

    const runs = new KyselyRunStore(t.ops.database);
    const r = await runs.createRun({ runbookId: 'redis-down', incidentId: 1, params: { ns: 'prod' }, startedBy: 'U0BOB', steps: [step('ping'), step('restart', { danger: true })] }, new Date());
    await runs.claimStep(r.id, 'ping', 'pending', { actor: 'U0BOB', startedAt: new Date(), target: 'docker:redis', command: 'redis-cli ping', approvalRefs: [], lockOwner: null, instance: 'a' });
    await runs.finishAttempt(r.id, 'ping', 1, { state: 'failed', finishedAt: new Date(), exitCode: 1, durationMs: 12, output: 'down\n', outputDroppedBytes: 0, error: 'exit code 1' });
    const approvals = new KyselyApprovalStore(t.ops.database);
    const base = { runId: r.id, stepId: 'restart', action: 'run' as const, incidentId: 1, fingerprint: 'f', requestedBy: 'U0BOB', requestedAt: new Date(), expiresAt: new Date(Date.now() + 600_000) };
    const denied = await approvals.createApproval(base);
    await approvals.moveApproval(denied.id, 'pending', 'rejected', 'U0CAROL', new Date());
    const granted = await approvals.createApproval(base);
    await approvals.moveApproval(granted.id, 'pending', 'approved', 'U0DAVE', new Date());
    await approvals.moveApproval(granted.id, 'approved', 'used', null, new Date());

    const out = await audit(['--since', '1h', '--format', 'jsonl'], url);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const records = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const brief = records.map((x) => [x.action, x.actor, x.target, x.result]);
    expect(brief).toEqual(expect.arrayContaining([
      ['incident.opened', 'U0ALICE', 'incident:1', 'ok'],
      ['incident.acknowledged', 'U0BOB', 'incident:1', 'ok'],
      ['run.started', 'U0BOB', 'runbook:redis-down', 'pending'],
      ['step.run', 'U0BOB', 'docker:redis', 'failed'],
      ['approval.requested', 'U0BOB', `run:${r.id}/restart`, 'rejected'],
      ['approval.rejected', 'U0CAROL', `run:${r.id}/restart`, 'rejected'],
      ['approval.approved', 'U0DAVE', `run:${r.id}/restart`, 'approved'],
    ]));
    expect(records).toHaveLength(8);
    for (const x of records) expect(Number.isNaN(Date.parse(x.time))).toBe(false);
    expect(records.map((x) => x.time)).toEqual([...records.map((x) => x.time)].sort());
    expect(records.find((x) => x.action === 'step.run').detail).toMatchObject({ command: 'redis-cli ping', exitCode: 1, durationMs: 12 });

    // Without --since: the last seven days, which hold all of the above.
    const week = await audit([], url);
    expect(week.code).toBe(0);
    expect(week.stdout).toBe(out.stdout);

    const future = await audit(['--since', new Date(Date.now() + 3_600_000).toISOString()], url);
    expect(future).toMatchObject({ code: 0, stdout: '' });
  });

  it('records each step once, with its real result, for runs started and run from the bot', async () => {
    // The system the steps call: /ok answers 200, /broken 500.
    const target = createServer((req, res) => { res.writeHead(req.url === '/ok' ? 200 : 500).end('x'); });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
      const dir = mkdtempSync(join(tmpdir(), 'opsroom-audit-'));
      mkdirSync(join(dir, 'runbooks'));
      writeFileSync(join(dir, 'runbooks', 'probe.yml'), `title: Probe
steps:
  - { id: good, title: Good, http: { url: "${base}/ok", expect_status: 200 }, timeout: 5s, on_failure: continue }
  - { id: bad, title: Bad, http: { url: "${base}/broken", expect_status: 200 }, timeout: 5s, on_failure: continue }
`);
      t = await startLocal({ dir, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_INVENTORY: join(dir, 'none.yml') } });
      await t.ws.slash('U0ALICE', 'C0GENERAL', 'open P3 Probe failing');
      const incident = await t.ops.incidents.get(1);
      const run = await t.ops.runs.remediation.start(incident, 'probe', {}, 'U0ALICE');
      await t.ops.runs.remediation.diagnostics('U0ALICE', run.id);
      // Both steps finished and their timeline lines written (the run board records them).
      await waitFor(async () => (await t!.ops.store.events(1)).filter((e) => e.kind === 'step').length === 2, 15_000);
      const timeline = await t.ops.store.events(1);
      expect(timeline.filter((e) => e.kind === 'run' || e.kind === 'step')).toHaveLength(3);

      const out = await audit(['--since', '1h'], `sqlite:${join(dir, 'opsroom.db')}`);
      expect(out.code).toBe(0);
      const records = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const steps = records.filter((x) => x.stepId !== undefined || /step|run/.test(x.action)).map((x) => [x.action, x.stepId ?? null, x.result]);
      expect(steps).toEqual([
        ['run.started', null, expect.stringMatching(/^(succeeded|failed|pending|running)$/)],
        ['step.run', 'good', 'succeeded'],
        ['step.run', 'bad', 'failed'],
      ]);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      target.close();
    }
  });

  it('refuses an unreadable --since with a clear message', async () => {
    const bad = await audit(['--since', 'yesterday'], 'sqlite::memory:');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "yesterday" is not a date/);
  });
});
