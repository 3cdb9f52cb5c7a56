/**
 * A skipped step, or a confirmed step's start, and its timeline line are stored in one
 * transaction, on real SQLite: both or neither.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineRecord } from '#core/runs/ports.js';
import { KyselyIncidentStore, openDatabase, type Database } from '#store/index.js';
import { KyselyRunStore } from '#store/runs.js';
import { ManualClock } from '../../support/clock.js';
import { step } from './support/scripted-runner.js';

let database: Database;
let clock: ManualClock;
let incidents: KyselyIncidentStore;
let runs: KyselyRunStore;
let incidentId: number;
let runId: number;

beforeEach(async () => {
  database = await openDatabase('sqlite::memory:');
  clock = new ManualClock();
  incidents = new KyselyIncidentStore(database, clock);
  runs = new KyselyRunStore(database);
  const i = await incidents.create({ title: 'Redis down', severity: 'P2', commander: 'U0ALICE', openedBy: 'U0ALICE', summary: null, service: null, channel: 'C0INC', sourceChannel: 'C0INC', createdAt: clock.now() }, [], []);
  incidentId = i.id;
  runId = (await runs.createRun({ runbookId: 'redis-down', incidentId, params: {}, startedBy: 'U0ALICE', steps: [step('ping')] }, clock.now())).id;
});
afterEach(async () => {
  await database.close();
});

const line = (incident: number, text: string): TimelineRecord => ({ incidentId: incident, effects: [], events: [{ at: clock.now(), actor: 'U0BOB', kind: 'step', text, data: {} }] });
const stepTexts = async () => (await incidents.events(incidentId)).filter((e) => e.kind === 'step').map((e) => e.text);

describe('skip with its timeline line', () => {
  it('stores the state and the line together', async () => {
    expect(await runs.moveStep(runId, 'ping', 'pending', 'skipped', clock.now(), { by: 'U0BOB', reason: 'done by hand' }, line(incidentId, 'skipped ping'))).toBe(true);
    expect((await runs.getStep(runId, 'ping'))?.state).toBe('skipped');
    expect(await stepTexts()).toEqual(['skipped ping']);
  });

  it('writes no line when the step was not in the expected state', async () => {
    expect(await runs.moveStep(runId, 'ping', 'failed', 'skipped', clock.now(), undefined, line(incidentId, 'skipped ping'))).toBe(false);
    expect((await runs.getStep(runId, 'ping'))?.state).toBe('pending');
    expect(await stepTexts()).toEqual([]);
  });

  it('keeps the step pending when the line cannot be stored', async () => {
    await expect(runs.moveStep(runId, 'ping', 'pending', 'skipped', clock.now(), { by: 'U0BOB', reason: null }, line(incidentId + 99, 'lost'))).rejects.toThrow();
    const s = await runs.getStep(runId, 'ping');
    expect(s?.state).toBe('pending');
    expect(s?.skipped).toBeUndefined();
  });
});

describe('a claimed step with its timeline line', () => {
  const start = { actor: 'U0BOB', startedAt: new Date(0), target: 'ssh:web1', command: 'echo ping', approvalRefs: [], lockOwner: null, instance: 'me' };

  it('stores the attempt and the line together', async () => {
    expect(await runs.claimStep(runId, 'ping', 'pending', { ...start, startedAt: clock.now() }, line(incidentId, 'confirmed ping'))).not.toBeNull();
    expect((await runs.getStep(runId, 'ping'))?.state).toBe('running');
    expect(await stepTexts()).toEqual(['confirmed ping']);
  });

  it('writes no line when someone else claimed it first', async () => {
    expect(await runs.claimStep(runId, 'ping', 'pending', { ...start, startedAt: clock.now() })).not.toBeNull();
    expect(await runs.claimStep(runId, 'ping', 'pending', { ...start, startedAt: clock.now() }, line(incidentId, 'confirmed ping'))).toBeNull();
    expect(await stepTexts()).toEqual([]);
  });

  it('leaves the step pending, with no attempt, when the line cannot be stored', async () => {
    await expect(runs.claimStep(runId, 'ping', 'pending', { ...start, startedAt: clock.now() }, line(incidentId + 99, 'lost'))).rejects.toThrow();
    expect((await runs.getStep(runId, 'ping'))?.state).toBe('pending');
    expect(await runs.attempts(runId, 'ping')).toEqual([]);
  });
});
