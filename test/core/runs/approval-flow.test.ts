/**
 * Approval state changes: the table refuses moves it does not list, and each change is stored with
 * its timeline event and its message (an outbox effect) in one transaction, on real SQLite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalFlow, type ApprovalLines } from '#core/runs/approval-flow.js';
import { APPROVAL_TRANSITIONS, ApprovalTransitionError, checkApprovalMove, type Approval } from '#core/runs/approvals.js';
import { RunPolicy } from '#core/runs/permissions.js';
import { createLogger } from '#src/log.js';
import { KyselyIncidentStore, KyselyOutbox, openDatabase, type Database } from '#store/index.js';
import { KyselyApprovalStore } from '#store/remediation.js';
import { ManualClock } from '../../support/clock.js';

const lines: ApprovalLines = {
  requested: (a) => `requested ${a.id}`,
  approved: (a) => `approved ${a.id}`,
  rejected: (a, why, withdrawn) => `${withdrawn ? 'withdrawn' : 'rejected'} ${a.id}: ${why}`,
  expired: (a) => `expired ${a.id}`,
};

let database: Database;
let clock: ManualClock;
let store: KyselyIncidentStore;
let approvals: KyselyApprovalStore;
let outbox: KyselyOutbox;
let flow: ApprovalFlow;
let incidentId: number;

beforeEach(async () => {
  database = await openDatabase('sqlite::memory:');
  clock = new ManualClock();
  store = new KyselyIncidentStore(database, clock);
  approvals = new KyselyApprovalStore(database);
  outbox = new KyselyOutbox(database);
  const notUsed = async () => { throw new Error('not used here'); };
  flow = new ApprovalFlow({
    approvals, clock, lines, approvalMinutes: 10, log: createLogger('silent'),
    policy: new RunPolicy({ runners: [], responders: ['U0BOB'], approvalMinutes: 10 } as never, { membersOf: async () => [] }),
    engine: { startStep: notUsed }, load: notUsed,
  });
  const i = await store.create({ title: 'Redis down', severity: 'P1', commander: 'U0ALICE', openedBy: 'U0ALICE', summary: null, service: null, channel: 'C0INC', sourceChannel: 'C0INC', createdAt: clock.now() }, [], []);
  incidentId = i.id;
});
afterEach(async () => {
  await database.close();
});

const ask = (incident = incidentId) => approvals.createApproval({
  runId: 1, stepId: 'restart', action: 'run', incidentId: incident, fingerprint: 'f1', requestedBy: 'U0ALICE',
  requestedAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 600_000),
});
const approvalEvents = async () => (await store.events(incidentId)).filter((e) => e.kind === 'approval').map((e) => e.text);
const effectTypes = async () => (await outbox.forIncident(incidentId)).map((e) => e.payload.type);

describe('the approval state table', () => {
  it('allows only the moves it lists', () => {
    expect(() => checkApprovalMove('pending', 'approved')).not.toThrow();
    expect(() => checkApprovalMove('approved', 'used')).not.toThrow();
    expect(() => checkApprovalMove('expired', 'approved')).toThrow(ApprovalTransitionError);
    expect(() => checkApprovalMove('rejected', 'approved')).toThrow('An approval request that is rejected cannot become approved.');
    expect(() => checkApprovalMove('approved', 'approved')).toThrow(ApprovalTransitionError);
    expect(() => checkApprovalMove('used', 'pending')).toThrow(ApprovalTransitionError);
    expect(APPROVAL_TRANSITIONS.used).toEqual([]);
  });

  it('refuses approving a rejected request, writing nothing', async () => {
    const a = await ask();
    expect(await flow.transition(a, 'rejected', 'U0BOB', clock.now(), { event: { at: clock.now(), actor: 'U0BOB', kind: 'approval', text: 'no', data: {} } })).toBe(true);
    const rejected = (await approvals.getApproval(a.id))!;
    const err = await flow.transition(rejected, 'approved', 'U0BOB', clock.now()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApprovalTransitionError);
    expect((err as ApprovalTransitionError).code).toBe('illegal_transition');
    expect((await approvals.getApproval(a.id))!.state).toBe('rejected');
    expect(await approvalEvents()).toEqual(['no']);
  });

  it('a double approve is refused: by the table for the approved copy, by compare-and-set for a stale one', async () => {
    const a = await ask();
    const event = { at: clock.now(), actor: 'U0BOB', kind: 'approval' as const, text: 'approved once', data: {} };
    expect(await flow.transition(a, 'approved', 'U0BOB', clock.now(), { event })).toBe(true);
    const approved: Approval = (await approvals.getApproval(a.id))!;
    await expect(flow.transition(approved, 'approved', 'U0CAROL', clock.now())).rejects.toThrow(/approved cannot become approved/);
    // A second click that read the request while it was still pending loses the race.
    expect(await flow.transition(a, 'approved', 'U0CAROL', clock.now(), { event: { ...event, text: 'approved twice' } })).toBe(false);
    expect((await approvals.getApproval(a.id))!.decidedBy).toBe('U0BOB');
    expect(await approvalEvents()).toEqual(['approved once']);
  });
});

describe('one transaction per approval change', () => {
  it('a request is stored with its timeline event and its message', async () => {
    const run = { id: 7 } as never;
    const step = { stepId: 'restart', step: { command: { kind: 'ssh', host: 'db1', command: 'systemctl restart redis' } } } as never;
    const incident = (await store.get(incidentId))!;
    const a = await flow.request('U0ALICE', run, step, incident, { action: 'run', fingerprint: 'f1', command: 'docker restart redis' });
    expect(a.state).toBe('pending');
    expect(await approvalEvents()).toEqual([`requested ${a.id}`]);
    expect((await store.events(incidentId)).find((e) => e.kind === 'approval')?.data).toMatchObject({ approvalId: a.id, runId: 7, stepId: 'restart' });
    expect(await effectTypes()).toEqual(['run.approval']);
  });

  it('a rejection carries its event and its outcome message; an expiry too', async () => {
    const a = await ask();
    await flow.transition(a, 'rejected', 'U0BOB', clock.now(), {
      event: { at: clock.now(), actor: 'U0BOB', kind: 'approval', text: 'rejected', data: {} }, outcome: { kind: 'rejected', by: 'U0BOB', reason: 'not now' },
    });
    const b = await ask();
    clock.advance(11 * 60_000);
    expect(await flow.expireDue()).toBe(1);
    expect((await approvals.getApproval(b.id))!.state).toBe('expired');
    expect(await approvalEvents()).toEqual(['rejected', `expired ${b.id}`]);
    const effects = await outbox.forIncident(incidentId);
    expect(effects.map((e) => e.payload)).toEqual([
      { type: 'run.approval.settle', approvalId: a.id, outcome: { kind: 'rejected', by: 'U0BOB', reason: 'not now' } },
      { type: 'run.approval.settle', approvalId: b.id, outcome: { kind: 'expired' } },
    ]);
  });

  it('when the timeline cannot be written, the state does not change either', async () => {
    // An approval of an incident that is gone: its event cannot be stored (foreign key).
    const orphan = await ask(incidentId + 100);
    const err = await flow.transition(orphan, 'rejected', 'U0BOB', clock.now(), {
      event: { at: clock.now(), actor: 'U0BOB', kind: 'approval', text: 'rejected', data: {} }, outcome: { kind: 'rejected', by: 'U0BOB' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((await approvals.getApproval(orphan.id))!.state).toBe('pending');
  });
});
