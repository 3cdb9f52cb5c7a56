import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPostmortem } from '#cli/postmortem.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { openDatabase } from '#store/db.js';
import { KyselyFollowUpStore } from '#store/follow-ups.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyRunStore } from '#store/runs.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-cli-postmortem-'));
const db = `sqlite:${join(dir, 'opsroom.db')}`;
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const step = (id: string, title: string): ResolvedStep => ({ id, title, command: { kind: 'docker' } as never, danger: false, timeoutMs: 10_000, expect: {} as never, onFailure: 'stop' as never, redact: false });

beforeAll(async () => {
  const database = await openDatabase(db);
  const incidents = new KyselyIncidentStore(database);
  const i = await incidents.create({ title: 'Sistema caído', severity: 'P1', commander: 'U0ALICE', openedBy: 'U0ALICE', summary: null, service: null, channel: 'C0INCIDENTS', sourceChannel: 'C0GENERAL', createdAt: T0, system: 'blatam' },
    [{ at: T0, actor: 'U0ALICE', kind: 'opened', text: 'Opened as P1: Sistema caído', data: { severity: 'P1' } }], []);
  const runs = new KyselyRunStore(database);
  const run = await runs.createRun({ runbookId: 'blatam/system-down', incidentId: i.id, params: {}, startedBy: 'U0ALICE', steps: [step('ps', 'Ver servicios')] }, at(30));
  await runs.claimStep(run.id, 'ps', 'pending', { actor: 'U0BOB', startedAt: at(40), target: 'docker:blatam/web', command: 'docker compose ps', approvalRefs: [], lockOwner: null, instance: null });
  await runs.finishAttempt(run.id, 'ps', 1, { state: 'failed', finishedAt: at(42), exitCode: 3, durationMs: 2000, output: 'web exited\n', outputDroppedBytes: 0, error: null });
  await new KyselyFollowUpStore(database).add({ incidentId: i.id, text: 'Alerta de memoria', owner: 'U0CAROL', createdBy: 'U0ALICE', createdAt: at(50) }, [], []);
  await database.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const env = { DATABASE_URL: db, OPSROOM_RUNBOOKS: resolve('runbooks'), OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_INVENTORY: join(dir, 'none.yml') };
  const code = await runPostmortem(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, env, clock: { now: () => at(600) } });
  return { code, out, err };
}

describe('opsroom postmortem', () => {
  it('prints the draft in the language of the system\'s runbooks, with the step, its actor and exit code', async () => {
    const r = await run(['INC-1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('# Borrador de postmortem: INC-1 Sistema caído');
    expect(r.out).toMatch(/`ps` Ver servicios · ejecución 1 `blatam\/system-down` · en `docker:blatam\/web` · por @Bob Brown · \*\*falló, código de salida 3, 2s\*\*/);
    expect(r.out).toContain('- [ ] Alerta de memoria — responsable: @Carol');
    expect(r.out).toMatch(/\| Tiempo hasta la resolución \(MTTR\) \| sin registrar \|/);
    const en = await run(['inc-1', '--lang', 'en']);
    expect(en.out).toContain('## Timeline');
  });

  it('prints JSON', async () => {
    const r = await run(['INC-1', '--format', 'json']);
    expect(r.code).toBe(0);
    const pm = JSON.parse(r.out);
    expect(pm).toMatchObject({ key: 'INC-1', language: 'es', impact: { system: 'blatam', severity: 'P1', ongoing: true } });
    expect(pm.timeline.map((e: { type: string; stepId?: string; exitCode?: number }) => e.stepId ?? e.type)).toEqual(['event', 'ps']);
    expect(pm.timeline[1]).toMatchObject({ actor: 'U0BOB', exitCode: 3, command: 'docker compose ps' });
  });

  it('refuses bad arguments with a clear message', async () => {
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringContaining('which incident?') });
    expect(await run(['seven'])).toMatchObject({ code: 2, err: expect.stringContaining('"seven" is not an incident like INC-7') });
    expect(await run(['INC-1', '--format', 'pdf'])).toMatchObject({ code: 2, err: expect.stringContaining('--format must be md or json') });
    expect(await run(['INC-1', '--lang', 'fr'])).toMatchObject({ code: 2, err: expect.stringContaining('--lang must be en or es') });
    expect(await run(['INC-9'])).toMatchObject({ code: 2, err: 'opsroom postmortem: There is no INC-9.\n' });
  });
});
