import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ResolvedCommand, RunOptions, StepRunner } from '#core/runs/step-runner.js';
import { CompositeStepRunner, createStepRunner, HttpStepRunner } from '#executors/index.js';

const opts = (): RunOptions => ({ timeoutMs: 5_000, signal: new AbortController().signal, onOutput: () => {} });

describe('CompositeStepRunner', () => {
  it('sends each kind to its runner and refuses kinds nobody runs', async () => {
    const seen: ResolvedCommand[] = [];
    let closed = 0;
    const recorder: StepRunner = {
      kinds: ['ssh'],
      run: async (c) => { seen.push(c); return { exitCode: 0, output: 'from ssh', timedOut: false }; },
      close: async () => { closed++; },
    };
    const server = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const runner = new CompositeStepRunner([recorder, new HttpStepRunner()]);
      expect([...runner.kinds].sort()).toEqual(['http', 'ssh']);
      expect(await runner.run({ kind: 'ssh', host: 'bastion', command: 'uptime' }, opts())).toMatchObject({ output: 'from ssh' });
      expect(seen).toEqual([{ kind: 'ssh', host: 'bastion', command: 'uptime' }]);
      expect(await runner.run({ kind: 'http', method: 'GET', url }, opts())).toMatchObject({ httpStatus: 200, output: 'HTTP/1.1 200 OK\npong' });
      expect((await runner.run({ kind: 'manual', instruction: 'call the DBA' }, opts())).error).toBe('No executor for manual steps');
      await runner.close();
      expect(closed).toBe(1);
    } finally {
      server.close();
    }
  });

  it('createStepRunner wires docker, ssh, http and kubernetes', async () => {
    const runner = createStepRunner({ ssh: { inventory: {} } });
    expect([...runner.kinds].sort()).toEqual(['docker', 'http', 'kubernetes', 'ssh']);
    expect((await runner.run({ kind: 'ssh', host: 'db1', command: 'true' }, opts())).error).toBe('Unknown SSH host "db1": it is not in the inventory');
    await runner.close();
  });
});
