import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerIndex } from '#executors/docker/container-index.js';
import { DockerStepRunner } from '#executors/docker/docker-step-runner.js';
import type { DockerAction, ResolvedCommand, RunOptions } from '#core/runs/step-runner.js';
import { dockerAvailable, startDocker, type DockerPeer } from '../support/peers/docker.js';

const opts = (): RunOptions => ({ timeoutMs: 20_000, signal: new AbortController().signal, onOutput: () => {} });
const target = { composeProject: 'idx', composeService: 'app' };
const cmd = (a: DockerAction): ResolvedCommand => ({ kind: 'docker', target, ...a });

/** Waits until `check` holds (the engine's events arrive a moment after the change). */
async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe.skipIf(!dockerAvailable())('ContainerIndex: containers kept from the engine event stream', { timeout: 180_000 }, () => {
  let peer: DockerPeer;
  /** A client of its own, counting the list requests it makes. */
  let counted: Docker;
  let lists = 0;

  beforeAll(async () => {
    peer = await startDocker();
    counted = new Docker({ socketPath: peer.socketPath });
    const list = counted.listContainers.bind(counted);
    counted.listContainers = ((o?: Docker.ContainerListOptions) => { lists++; return list(o); }) as typeof counted.listContainers;
    await peer.run({ name: 'idx-app-1', project: 'idx', service: 'app', cmd: ['sleep', '600'] });
  });
  afterAll(async () => { await peer?.stop(); });

  it('lists once while nothing changes, execs included, and again after a change made elsewhere', async () => {
    const index = new ContainerIndex(counted);
    try {
      const first = await index.list();
      expect(first.map((c) => c.Names[0])).toContain('/idx-app-1');
      const before = lists;
      await index.list();
      await index.list();
      expect(lists).toBe(before);

      // Another client stops the container: the index hears it and lists again.
      await peer.docker.getContainer('idx-app-1').stop({ t: 0 });
      await until(async () => (await index.list()).find((c) => c.Names[0] === '/idx-app-1')?.State === 'exited', 'the stop reached the index');
      expect(lists).toBeGreaterThan(before);
      await peer.docker.getContainer('idx-app-1').start();
      await until(async () => (await index.list()).find((c) => c.Names[0] === '/idx-app-1')?.State === 'running', 'the start reached the index');
    } finally {
      index.close();
    }
  });

  it('without an event stream it asks the engine every time', async () => {
    const broken = new Docker({ socketPath: peer.socketPath });
    broken.getEvents = (() => Promise.reject(new Error('no events'))) as unknown as typeof broken.getEvents;
    let n = 0;
    const list = broken.listContainers.bind(broken);
    broken.listContainers = ((o?: Docker.ContainerListOptions) => { n++; return list(o); }) as typeof broken.listContainers;
    const index = new ContainerIndex(broken);
    await index.list();
    await index.list();
    expect(n).toBe(2);
    index.close();
  });

  it('an exec step finds its container from the index and sees a stop made elsewhere', async () => {
    const runner = new DockerStepRunner({ docker: counted });
    try {
      expect(await runner.run(cmd({ action: 'exec', argv: ['echo', 'one'] }), opts())).toMatchObject({ exitCode: 0, output: 'one\n' });
      const before = lists;
      for (let i = 0; i < 3; i++) expect((await runner.run(cmd({ action: 'exec', argv: ['true'] }), opts())).exitCode).toBe(0);
      expect(lists).toBe(before);

      await peer.docker.getContainer('idx-app-1').stop({ t: 0 });
      await until(async () => /not running/.test((await runner.run(cmd({ action: 'exec', argv: ['true'] }), opts())).error ?? ''), 'the step saw the stop');

      // Its own start is known at once, without waiting for the event.
      expect((await runner.run(cmd({ action: 'start' }), opts())).exitCode).toBe(0);
      expect(await runner.run(cmd({ action: 'exec', argv: ['echo', 'back'] }), opts())).toMatchObject({ exitCode: 0, output: 'back\n' });
    } finally {
      await runner.close();
    }
  });
});
