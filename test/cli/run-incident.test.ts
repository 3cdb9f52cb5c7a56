/** `opsroom run --incident`: a terminal run on an incident's timeline, under the incident's approval rules. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type RunIo } from '#cli/run.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { IncidentService } from '#core/incidents/service.js';
import { openDatabase } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyOutbox } from '#store/outbox.js';
import { KyselyRunStore } from '#store/runs.js';
import { systemClock } from '#core/ports.js';
import { prints, ScriptedRunner } from '../core/runs/support/scripted-runner.js';

const RUNBOOK = `
title: Cache caído
docker: { project: shop }
params:
  service: { type: string, default: "{{ none }}", from: incident.service }
steps:
  - id: ping
    title: Ping
    read_only: true
    docker: { service: cache, exec: [redis-cli, ping] }
  - id: restart
    title: Reiniciar
    docker: { service: cache, restart: true }
    danger: true
  - id: after
    title: Ping again
    docker: { service: cache, exec: [redis-cli, -h, "{{ service }}", ping] }
`.replace('default: "{{ none }}", ', '');

describe('opsroom run --incident', () => {
  let dir: string;
  let out: string;
  let err: string;
  let runner: ScriptedRunner;
  const db = () => `sqlite:${join(dir, 'o.db')}`;
  const io = (): RunIo => ({ out: (t) => void (out += t), err: (t) => void (err += t), env: {}, runner: async () => runner });
  const args = (...more: string[]) => ['cache-down', '--runbooks', join(dir, 'runbooks'), '--db', db(), '--config', join(dir, 'none.yml'), '--inventory', join(dir, 'inventory.yml'), ...more];
  async function open(severity: string): Promise<number> {
    const database = await openDatabase(db());
    const incidents = new IncidentService({ store: new KyselyIncidentStore(database), clock: systemClock, severities: DEFAULT_SEVERITIES, incidentChannel: 'C1', pagerEnabled: false });
    const { incident } = await incidents.open({ severity, title: `Cache down ${severity}`, service: 'cache-eu', openedBy: 'U1', sourceChannel: 'C1' });
    await database.close();
    return incident.id;
  }
  async function look(id: number) {
    const database = await openDatabase(db());
    const r = {
      events: await new KyselyIncidentStore(database).events(id),
      lines: (await new KyselyOutbox(database).forIncident(id)).map((e) => e.payload).filter((p): p is { type: 'thread'; text: string } => p.type === 'thread').map((p) => p.text),
      runs: await new KyselyRunStore(database).listRuns({ incidentId: id }),
    };
    await database.close();
    return r;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-run-incident-'));
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'cache-down.yml'), RUNBOOK);
    writeFileSync(join(dir, 'inventory.yml'), 'docker: { projects: { shop: { services: [cache] } } }\n');
    out = '';
    err = '';
    runner = new ScriptedRunner(prints(['PONG\n']));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the run and each step on the timeline, with thread lines for the bot to deliver', async () => {
    const id = await open('P3');
    expect(await runCommand(args('--incident', `INC-${id}`, '--yes'), io())).toBe(0);
    expect(out).toContain(`on INC-${id}`);
    const { events, lines, runs } = await look(id);
    expect(runs).toHaveLength(1);
    expect(runs[0].incidentId).toBe(id);
    const mine = events.filter((e) => e.kind === 'run' || e.kind === 'step').map((e) => `${e.actor} ${e.kind} ${e.text}`);
    expect(mine).toEqual([
      expect.stringMatching(/^cli:\S+ run Started runbook `cache-down` from a terminal \(run 1\)$/),
      expect.stringMatching(/^cli:\S+ step `ping` from a terminal: succeeded in [\d.]+ s, exit 0$/),
      expect.stringMatching(/^cli:\S+ step `restart` from a terminal: succeeded/),
      expect.stringMatching(/^cli:\S+ step `after` from a terminal: succeeded/),
      expect.stringMatching(/^cli:\S+ run Terminal run 1 of `cache-down` ended: 3 succeeded, 0 failed, 0 skipped$/),
    ]);
    expect(lines.filter((l) => /terminal/i.test(l))).toEqual([expect.stringMatching(/started runbook `cache-down` from a terminal/), expect.stringMatching(/Terminal run 1 .*ended: 3 succeeded/)]);
    // The incident's service filled `from: incident.service`.
    expect(runner.calls.at(-1)).toMatchObject({ argv: ['redis-cli', '-h', 'cache-eu', 'ping'] });
  });

  it('on a severity that needs a second approval, refuses dangerous steps even with --yes', async () => {
    const id = await open('P1');
    expect(await runCommand(args('--incident', `INC-${id}`, '--yes'), io())).toBe(1);
    expect(err).toMatch(/stopped at restart: INC-\d+ is P1: dangerous step restart needs a second responder's approval, which a terminal cannot give/);
    expect(runner.calls.map((c) => (c.kind === 'docker' ? c.action : c.kind))).toEqual(['exec']);
    const { events } = await look(id);
    expect(events.at(-1)?.text).toMatch(/ended: 1 succeeded, 0 failed, 0 skipped; stopped at `restart`/);
  });

  it('refuses an unknown or resolved incident before running anything', async () => {
    expect(await runCommand(args('--incident', 'INC-99'), io())).toBe(2);
    expect(err).toMatch(/there is no INC-99/);
    expect(await runCommand(args('--incident', 'yesterday'), io())).toBe(2);
    expect(err).toMatch(/not an incident key/);
    expect(runner.calls).toHaveLength(0);
  });
});
