/** The pure parts of remediation: permissions, approvals, the engine's gate, edit coalescing. */
import { describe, expect, it } from 'vitest';
import { CodedError } from '#core/errors.js';
import { approvalGate, approvalProblem, approvalRef, type Approval, type ApprovalStore } from '#core/runs/approvals.js';
import { stepFingerprint } from '#core/runs/confirmation.js';
import { RunPolicy } from '#core/runs/permissions.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { Coalescer } from '#slack/output-stream.js';

const dir = { membersOf: async (g: string) => (g === 'S0ONCALL' ? ['U0ALICE', 'U0BOB'] : []) };
const incident = { commander: 'U0ALICE', acknowledgedBy: 'U0BOB' };
const restart: ResolvedStep = {
  id: 'restart', title: 'Reiniciar', command: { kind: 'docker', target: { composeProject: 'blatam', composeService: 'redis' }, action: 'restart' },
  danger: true, timeoutMs: 60_000, expect: {}, onFailure: { action: 'stop' }, redact: false,
};

describe('RunPolicy', () => {
  it('lets anyone run ordinary steps when runners is empty, only the listed ones otherwise', async () => {
    const open = new RunPolicy({ runners: [], responders: [], approvalMinutes: 10 }, dir);
    expect(await open.check('U0DAVE', 'run', incident)).toBeNull();
    const closed = new RunPolicy({ runners: ['U0CAROL'], responders: ['S0ONCALL'], approvalMinutes: 10 }, dir);
    expect(await closed.check('U0CAROL', 'run', incident)).toBeNull();
    expect(await closed.check('U0BOB', 'run', incident)).toBeNull(); // responders run ordinary steps too
    expect(await closed.check('U0DAVE', 'run', incident)).toMatch(/not among the runners/);
  });

  it('resolves user groups for dangerous steps and approvals; nobody approves their own request', async () => {
    const p = new RunPolicy({ runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 }, dir);
    expect(await p.check('U0BOB', 'run_dangerous', incident)).toBeNull();
    expect(await p.check('U0CAROL', 'run_dangerous', incident)).toMatch(/Only the responders configured/);
    expect(await p.check('U0BOB', 'approve', incident, 'U0ALICE')).toBeNull();
    expect(await p.check('U0ALICE', 'approve', incident, 'U0ALICE')).toMatch(/You asked for this step/);
    expect(await p.check('U0CAROL', 'approve', incident, 'U0ALICE')).toMatch(/Only the responders/);
  });

  it('without configured responders, nobody may run or approve dangerous steps: commanding or acknowledging grants nothing', async () => {
    const p = new RunPolicy({ runners: [], responders: [], approvalMinutes: 10 }, dir);
    for (const user of ['U0ALICE', 'U0BOB', 'U0CAROL']) {
      expect(await p.check(user, 'run_dangerous', incident)).toMatch(/No responders are configured/);
      expect(await p.check(user, 'approve', incident, 'U0DAVE')).toMatch(/No responders are configured/);
    }
    expect(await p.check('U0DAVE', 'run', incident)).toBeNull();
  });

  it('lets only the commander or a responder change the commander', async () => {
    const none = new RunPolicy({ runners: [], responders: [], approvalMinutes: 10 }, dir);
    expect(await none.check('U0ALICE', 'assign', incident)).toBeNull(); // hands over their own incident
    expect(await none.check('U0BOB', 'assign', incident)).toMatch(/Only the incident's commander/); // acknowledging is not enough
    const p = new RunPolicy({ runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 }, dir);
    expect(await p.check('U0BOB', 'assign', { commander: 'U0DAVE', acknowledgedBy: null })).toBeNull();
    expect(await p.check('U0CAROL', 'assign', incident)).toMatch(/Only the incident's commander or the responders/);
  });
});

const pending = (over: Partial<Approval> = {}): Approval => ({
  id: 1, runId: 7, stepId: 'restart', action: 'run', incidentId: 1, fingerprint: stepFingerprint(7, restart), requestedBy: 'U0ALICE',
  requestedAt: new Date('2026-01-01T10:00:00Z'), expiresAt: new Date('2026-01-01T10:10:00Z'), state: 'pending', decidedBy: null, decidedAt: null, ...over,
});

describe('approvals', () => {
  const at = new Date('2026-01-01T10:05:00Z');
  it('accepts another person within the time, for the exact same command', () => {
    expect(approvalProblem(pending(), { approver: 'U0BOB', now: at, fingerprint: stepFingerprint(7, restart) })).toBeNull();
  });
  it('refuses the requester, a decided request, an expired one, and any change of command or target', () => {
    const fp = stepFingerprint(7, restart);
    expect(approvalProblem(pending(), { approver: 'U0ALICE', now: at, fingerprint: fp })).toMatch(/You asked/);
    expect(approvalProblem(pending({ state: 'used', decidedBy: 'U0BOB' }), { approver: 'U0CAROL', now: at, fingerprint: fp })).toMatch(/already used/);
    expect(approvalProblem(pending(), { approver: 'U0BOB', now: new Date('2026-01-01T10:10:01Z'), fingerprint: fp })).toMatch(/expired/);
    const otherTarget = { ...restart, command: { ...restart.command, target: { composeProject: 'blatam', composeService: 'postgres' } } } as ResolvedStep;
    expect(approvalProblem(pending(), { approver: 'U0BOB', now: at, fingerprint: stepFingerprint(7, otherTarget) })).toMatch(/changed/);
    expect(approvalProblem(pending(), { approver: 'U0BOB', now: at, fingerprint: stepFingerprint(8, restart) })).toMatch(/changed/);
  });
});

describe('the engine gate', () => {
  const store = (a: Approval): ApprovalStore => ({ createApproval: async () => a, getApproval: async (id) => (id === a.id ? a : undefined), moveApproval: async () => true, overdue: async () => [] });
  const gate = (a: Approval) => approvalGate({
    policy: new RunPolicy({ runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 }, dir), approvals: store(a),
    clock: { now: () => new Date('2026-01-01T10:05:00Z') }, incident: async () => ({ ...incident, requiresApproval: true }),
  });
  const req = (confirmation?: object, actor = 'U0ALICE') => ({
    action: 'run' as const, actor, confirmation: confirmation as never,
    run: { id: 7, runbookId: 'redis-down', incidentId: 1, params: {}, startedBy: 'U0ALICE', createdAt: new Date(), state: 'pending' as const },
    step: { runId: 7, stepId: 'restart', position: 3, step: restart, state: 'pending' as const, attempts: 0, updatedAt: new Date() },
  });
  const fp = stepFingerprint(7, restart);
  const approved = pending({ state: 'approved', decidedBy: 'U0BOB', decidedAt: new Date('2026-01-01T10:04:00Z') });

  it('lets a dangerous step run with a stored approval by another responder for this very command', async () => {
    await expect(gate(approved)(req({ confirmedBy: 'U0ALICE', approvedBy: 'U0BOB', refs: [approvalRef(1)], fingerprint: fp }))).resolves.toBeUndefined();
  });
  it('refuses without an approval, with a forged approver, a pending approval or one for another command', async () => {
    await expect(gate(approved)(req({ confirmedBy: 'U0ALICE', refs: [], fingerprint: fp }))).rejects.toThrow(/needs a second responder/);
    await expect(gate(approved)(req({ confirmedBy: 'U0ALICE', approvedBy: 'U0CAROL', refs: [approvalRef(1)], fingerprint: fp }))).rejects.toThrow(/does not match/);
    await expect(gate(pending())(req({ confirmedBy: 'U0ALICE', approvedBy: 'U0BOB', refs: [approvalRef(1)], fingerprint: fp }))).rejects.toThrow(CodedError);
    await expect(gate({ ...approved, fingerprint: 'x' })(req({ confirmedBy: 'U0ALICE', approvedBy: 'U0BOB', refs: [approvalRef(1)], fingerprint: fp }))).rejects.toThrow(/another command/);
    await expect(gate(approved)(req({ confirmedBy: 'U0CAROL', approvedBy: 'U0BOB', refs: [approvalRef(1)], fingerprint: fp }, 'U0CAROL'))).rejects.toThrow(/Only the responders/);
  });
  it('leaves CLI actors to the CLI', async () => {
    await expect(gate(pending())(req(undefined, 'cli:ops'))).resolves.toBeUndefined();
  });
});

describe('Coalescer', () => {
  /** A fake clock: sleeping moves time. */
  const fake = () => {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => { t += ms; }, get t() { return t; } };
  };

  it('sends the newest state at most once per interval, never a backlog', async () => {
    const f = fake();
    const sent: string[] = [];
    const c = new Coalescer({ minIntervalMs: 1000, now: f.now, sleep: f.sleep });
    for (let i = 1; i <= 50; i++) c.set(async () => { sent.push(`${i}@${f.now()}`); });
    await c.flush();
    for (let i = 51; i <= 60; i++) c.set(async () => { sent.push(`${i}@${f.now()}`); });
    await c.flush();
    expect(sent).toEqual(['50@0', '60@1000']);
  });

  it('on 429 waits Retry-After, then sends the newest state, not the ones it missed', async () => {
    const f = fake();
    const sent: string[] = [];
    let fails = 2;
    const c = new Coalescer({ minIntervalMs: 1000, now: f.now, sleep: f.sleep });
    const send = (v: string) => async () => {
      if (fails-- > 0) {
        c.set(send(`${v}+`)); // newer output arrives while the edit is refused
        throw Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 3 });
      }
      sent.push(`${v}@${f.now()}`);
    };
    c.set(send('a'));
    await c.flush();
    expect(sent).toEqual(['a++@6000']);
  });

  it('gives up on a state after repeated failures that are not rate limits, and keeps going', async () => {
    const f = fake();
    const errors: unknown[] = [];
    const sent: string[] = [];
    const c = new Coalescer({ minIntervalMs: 1000, now: f.now, sleep: f.sleep, maxFailures: 2, onError: (e) => errors.push(e) });
    c.set(async () => { throw new Error('message_not_found'); });
    await c.flush();
    expect(errors).toHaveLength(2);
    c.set(async () => { sent.push('next'); });
    await c.flush();
    expect(sent).toEqual(['next']);
  });
});
