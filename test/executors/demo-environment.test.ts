/**
 * The demo environment, seen through the executors as a runbook sees it: healthy services pass the
 * seeds' diagnostics, each break mode makes the matching diagnostic fail, fix (or a restart) heals.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedCommand, RunOptions, StepOutcome } from '#core/runs/step-runner.js';
import { CompositeStepRunner, DockerStepRunner, HttpStepRunner } from '#executors/index.js';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { dockerAvailable } from '../support/peers/docker.js';

function demoAvailable(): boolean {
  if (!dockerAvailable()) return false;
  const missing = [...new Set(['web', 'redis', 'postgres', 'prometheus', 'alertmanager'].flatMap((k) => missingFor(k as never)))];
  if (missing.length === 0) return true;
  const msg = `demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING demo environment tests: ${msg} ***\n`);
  return false;
}

const opts = (): RunOptions => ({ timeoutMs: 15_000, signal: new AbortController().signal, onOutput: () => {} });

describe.skipIf(!demoAvailable())('demo environment (minimarket) through the executors', () => {
  let dir: string;
  let demo: Demo;
  let runner: CompositeStepRunner;
  const run = (c: ResolvedCommand): Promise<StepOutcome> => runner.run(c, opts());
  const target = (service: string) => ({ composeProject: 'minimarket', composeService: service });
  const health = () => run({ kind: 'http', method: 'GET', url: `${demo.endpoint('dashboard').url}/health` });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-demo-test-'));
    demo = await demoUp({ statePath: join(dir, 'state.json'), layout: 'isolated', projects: ['minimarket'], privateEngine: true });
    runner = new CompositeStepRunner([new DockerStepRunner({ docker: demo.docker }), new HttpStepRunner()]);
  });
  afterAll(async () => {
    await runner?.close();
    await demo?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('healthy: health endpoint, ps, PostgreSQL and Redis answer, no errors in the logs', async () => {
    expect(await health()).toMatchObject({ httpStatus: 200 });
    expect((await health()).output).toContain('"status":"ok"');
    const ps = await run({ kind: 'docker', target: { composeProject: 'minimarket' }, action: 'ps' });
    expect(ps.exitCode).toBe(0);
    expect(ps.output).toMatch(/inventario_retail_db\s+postgres\s+running\s+Up .*\(healthy\)/);
    const ready = await run({ kind: 'docker', target: { container: 'inventario_retail_db' }, action: 'exec', argv: ['pg_isready', '-U', 'postgres'] });
    expect(ready).toMatchObject({ exitCode: 0 });
    expect(ready.output).toContain('accepting connections');
    const select = await run({ kind: 'docker', target: target('postgres'), action: 'exec', argv: ['psql', '-U', 'postgres', '-c', 'SELECT 1'] });
    expect(select.output).toContain('(1 row)');
    const pong = await run({ kind: 'docker', target: target('redis'), action: 'exec', argv: ['redis-cli', 'ping'] });
    expect(pong.output).toBe('PONG\n');
    const errors = await run({ kind: 'docker', target: target('dashboard'), action: 'logs', tail: 50, grep: 'error|exception|fatal', ignoreCase: true });
    expect(errors).toMatchObject({ exitCode: 0, output: '' });
  });

  it('unhealthy dashboard: /health answers 500 and ps fails; fix heals it', async () => {
    await demo.break('dashboard', 'unhealthy');
    expect(await health()).toMatchObject({ httpStatus: 500 });
    const ps = await run({ kind: 'docker', target: target('dashboard'), action: 'ps' });
    expect(ps.exitCode).toBe(1);
    expect(ps.output).toMatch(/\(unhealthy\)/);
    await demo.fix('dashboard');
    expect(await health()).toMatchObject({ httpStatus: 200 });
  });

  it('erroring logs show up in logs | grep -i error', async () => {
    await demo.break('dashboard', 'errors');
    const errors = await run({ kind: 'docker', target: target('dashboard'), action: 'logs', tail: 50, grep: 'error', ignoreCase: true });
    expect(errors.output).toMatch(/ERROR psycopg2\.OperationalError/);
    await demo.fix('dashboard');
  });

  it('memory hog shows in stats', async () => {
    await demo.break('postgres', 'memory');
    const stats = await run({ kind: 'docker', target: target('postgres'), action: 'stats' });
    const pct = Number(/inventario_retail_db\s+[\d.]+%\s+\S+ \/ \S+\s+([\d.]+)%/.exec(stats.output)?.[1]);
    expect(pct).toBeGreaterThan(50);
    await demo.fix('postgres');
    const after = await run({ kind: 'docker', target: target('postgres'), action: 'stats' });
    expect(Number(/inventario_retail_db\s+[\d.]+%\s+\S+ \/ \S+\s+([\d.]+)%/.exec(after.output)?.[1])).toBeLessThan(50);
  });

  it('unhealthy Redis stops answering PONG', async () => {
    await demo.break('redis', 'unhealthy');
    const r = await run({ kind: 'docker', target: target('redis'), action: 'exec', argv: ['redis-cli', 'ping'] });
    expect(r.output).not.toContain('PONG');
    await demo.fix('redis');
  });

  it('a stopped dashboard refuses connections; the runbook restart brings it back', async () => {
    await demo.break('dashboard', 'stopped');
    expect((await health()).error).toMatch(/ECONNREFUSED/);
    const restart = await run({ kind: 'docker', target: target('dashboard'), action: 'restart', timeoutSeconds: 5 });
    expect(restart.exitCode).toBe(0);
    let h = await health();
    for (let i = 0; i < 40 && h.httpStatus !== 200; i++) { await new Promise((r) => setTimeout(r, 250)); h = await health(); }
    expect(h.httpStatus).toBe(200);
  });

  it('down removes the private engine and its folder', async () => {
    const engine = demo.state.engine;
    expect(engine.kind).toBe('private');
    await demo.down();
    if (engine.kind === 'private') expect(existsSync(engine.dir)).toBe(false);
    demo = undefined as unknown as Demo;
  });
});
