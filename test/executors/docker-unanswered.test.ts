/** An engine that accepts the connection and never answers: every Docker step ends at its own timeout. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedCommand } from '#core/runs/step-runner.js';
import { DockerStepRunner } from '#executors/index.js';

describe('a Docker engine that never answers', () => {
  let dir: string;
  let server: Server;
  const sockets: Socket[] = [];
  let runner: DockerStepRunner;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-mute-docker-'));
    server = createServer((s) => void sockets.push(s)); // reads the request, says nothing
    await new Promise<void>((r) => server.listen(join(dir, 'docker.sock'), r));
    runner = new DockerStepRunner({ docker: new Docker({ socketPath: join(dir, 'docker.sock') }) });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const commands: ResolvedCommand[] = [
    { kind: 'docker', target: { container: 'redis' }, action: 'exec', argv: ['redis-cli', 'ping'] },
    { kind: 'docker', target: { container: 'redis' }, action: 'logs', tail: 5 },
    { kind: 'docker', target: { composeProject: 'shop', composeService: 'cache' }, action: 'restart' },
  ];
  for (const command of commands) {
    it(`times out a ${command.kind === "docker" ? command.action : command.kind} step at the step's timeout`, async () => {
      const out = await runner.run(command, { timeoutMs: 800, signal: new AbortController().signal, onOutput: () => {} });
      expect(out.timedOut).toBe(true);
      expect(sockets.length).toBeGreaterThan(0);
    }, 10_000);
  }
});
