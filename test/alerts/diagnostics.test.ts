/** systems.<name>.alerts.autoDiagnostics: the alert's runbook starts and its read-only steps run as the incident opens. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { fixture, post, TOKEN, writeRunbooks } from './support/alerts.js';

describe('diagnostics when an alert opens an incident', () => {
  let o: LocalOpsroom | undefined;
  let dir: string | undefined;
  let target: Server | undefined;
  let hits = 0;
  let port = 0;
  afterEach(async () => {
    await o?.close();
    target?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = async (autoDiagnostics: boolean, runbook = 'minimarket/probe') => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-alert-diag-'));
    writeRunbooks(dir);
    target = createServer((_req, res) => { hits++; res.writeHead(200).end('up 1\n'); });
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', () => r()));
    port = (target.address() as { port: number }).port;
    // An http step's host is never a parameter (lint refuses it): the target is written in; the label names it in the title.
    const probe = [
      'title: Probe a target',
      'params:',
      '  instance: { type: string, pattern: "^[A-Za-z0-9.:-]+$", from: alert.labels.instance }',
      'steps:',
      '  - id: probe',
      '    title: "Probe {{ instance }}"',
      `    http: { url: "http://127.0.0.1:${port}/metrics", expect_status: 200 }`,
      '    timeout: 5s',
      '',
    ].join('\n');
    // The same probe in the alert's system and in another one.
    mkdirSync(join(dir, 'runbooks', 'minimarket'), { recursive: true });
    writeFileSync(join(dir, 'runbooks', 'minimarket', 'probe.yml'), probe);
    writeFileSync(join(dir, 'runbooks', 'demo', 'probe.yml'), probe);
    o = await startLocal({
      env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_ALERTS_TOKEN: TOKEN },
      file: { systems: { minimarket: { severities: {}, people: { responders: [], oncall: [] }, alerts: { autoDiagnostics } } } } as never,
    });
    const body = fixture('alertmanager-v4');
    body.commonAnnotations.runbook = runbook;
    body.alerts[0].labels.instance = `127.0.0.1:${port}`;
    return Number((await post(o.ops.url, '/alerts/alertmanager', body)).body.incident.slice(4));
  };

  it('runs the probe of the runbook the alert names, its instance from the labels', async () => {
    hits = 0;
    const id = await start(true);
    let steps: Awaited<ReturnType<LocalOpsroom['ops']['runs']['runs']['steps']>> = [];
    for (let n = 0; n < 100 && steps[0]?.state !== 'succeeded'; n++) {
      await new Promise((r) => setTimeout(r, 100));
      const [run] = await o!.ops.runs.runs.listRuns({ incidentId: id });
      steps = run ? await o!.ops.runs.runs.steps(run.id) : [];
    }
    expect(steps.map((s) => [s.stepId, s.state, s.step.title]), JSON.stringify(steps)).toEqual([['probe', 'succeeded', `Probe 127.0.0.1:${port}`]]);
    expect(hits).toBe(1);
  });

  it('starts nothing when the alert names another system\'s runbook', async () => {
    hits = 0;
    const id = await start(true, 'demo/probe');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await o!.ops.runs.runs.listRuns({ incidentId: id })).toEqual([]);
    expect(hits).toBe(0);
  });

  it('starts nothing when the system does not ask for it', async () => {
    hits = 0;
    const id = await start(false);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await o!.ops.runs.runs.listRuns({ incidentId: id })).toEqual([]);
    expect(hits).toBe(0);
  });
});
