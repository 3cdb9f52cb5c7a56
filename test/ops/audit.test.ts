import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KyselyApprovalStore } from '../../src/store/remediation.js';
import { KyselyRunStore } from '../../src/store/runs.js';
import { step } from '../core/runs/support/scripted-runner.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';

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

    const future = await audit(['--since', new Date(Date.now() + 3_600_000).toISOString()], url);
    expect(future).toMatchObject({ code: 0, stdout: '' });
  });

  it('refuses a missing or unreadable --since with a clear message', async () => {
    const none = await audit([], 'sqlite::memory:');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--since is required/);
    const bad = await audit(['--since', 'yesterday'], 'sqlite::memory:');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "yesterday" is not a date/);
  });
});
