import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '#core/runbooks/loader.js';
import { renderSteps } from '#core/runbooks/render.js';
import { stepFingerprint } from '#core/runs/confirmation.js';
import { RunEngine } from '#core/runs/engine.js';
import { MemoryRunStore } from '#core/runs/memory-store.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { DockerStepRunner } from '#executors/docker/docker-step-runner.js';
import { dockerAvailable, startDocker, type DockerPeer } from '../../support/peers/docker.js';

/** A cache that is broken until restarted, then answers PONG only after a couple of seconds. */
const CACHE = [
  'if [ -f /tmp/started-once ]; then (sleep 2; echo PONG > /tmp/ready) & else touch /tmp/started-once; echo "FATAL cache corrupt"; fi',
  'exec sleep 600',
].join('; ');

const RUNBOOK = `
title: Caché caída
defaults: { on_failure: continue }
steps:
  - id: ping
    title: Comprobar la caché
    docker: { container: cache, exec: [cat, /tmp/ready] }
    read_only: true
    expect: { output_contains: PONG }
  - id: restart
    title: Reiniciar la caché
    docker: { container: cache, restart: true }
    danger: true
  - id: verify
    title: Verificar que responde
    docker: { container: cache, exec: [cat, /tmp/ready] }
    read_only: true
    retry: { attempts: 15, every: 1s }
    expect: { output_contains: PONG }
  # Opción 2, si el reinicio no funciona
  - id: wipe
    title: Borrar los datos de la caché
    docker: { container: cache, exec: [rm, -f, /tmp/started-once] }
    danger: true
    when: { failed: verify }
`;

describe.skipIf(!dockerAvailable())('a restart that recovers, against a real dockerd', () => {
  let peer: DockerPeer;
  let runner: DockerStepRunner;

  beforeAll(async () => {
    peer = await startDocker();
    runner = new DockerStepRunner({ docker: peer.docker });
    await peer.run({ name: 'cache', cmd: ['sh', '-c', CACHE] });
  });
  afterAll(async () => { await peer?.stop(); });

  it('the check waits for the restarted container, Option 2 is skipped, and the run reads recovered', async () => {
    const parsed = parseRunbook('cache.yml', RUNBOOK, 'demo/cache');
    expect(parsed.errors.map(formatSourceError)).toEqual([]);
    const store = new MemoryRunStore();
    const engine = new RunEngine({ store, runner });
    const retries: number[] = [];
    engine.subscribe((e) => {
      if (e.type === 'step.retrying') retries.push(e.try);
    });
    const run = await engine.start({ runbookId: 'demo/cache', incidentId: null, params: {}, startedBy: 'U1', steps: renderSteps(parsed.runbook!, {}) });
    const confirmed: string[] = [];
    const r = await engine.runAll(run.id, {
      actor: 'U1',
      decide: async (s) => {
        confirmed.push(s.stepId);
        return { action: 'run', confirmation: { confirmedBy: 'U1', refs: [], fingerprint: stepFingerprint(run.id, s.step) } };
      },
    });
    expect(confirmed).toEqual(['restart']);
    expect(r.skipped).toEqual(['wipe']);
    expect((await store.steps(run.id)).map((s) => [s.stepId, s.state])).toEqual([
      ['ping', 'failed'], ['restart', 'succeeded'], ['verify', 'succeeded'], ['wipe', 'skipped'],
    ]);
    const verify = r.results.find((x) => x.stepId === 'verify')!;
    // It failed at first (the cache was still starting) and was tried again until it answered.
    expect(verify.tries).toBeGreaterThan(1);
    expect(retries.length).toBe(verify.tries! - 1);
    expect(verify.output.text).toContain('— try 1 of 15 failed: exit code 1, expected 0; trying again in 1 s —');
    expect(verify.output.text.trimEnd().endsWith('PONG')).toBe(true);
    expect((await store.getRun(run.id))?.state).toBe('recovered');
    // Option 2 really did not run: the marker it would delete is still there.
    const marker = await runner.run({ kind: 'docker', target: { container: 'cache' }, action: 'exec', argv: ['ls', '/tmp/started-once'] }, { timeoutMs: 10_000, signal: new AbortController().signal, onOutput: () => undefined });
    expect(marker.exitCode).toBe(0);
    await engine.close();
  });
});
