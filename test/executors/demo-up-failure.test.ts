/**
 * demoUp that fails after starting its private dockerd takes it down again: no dockerd left
 * running, no engine folder left behind, no state file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoUp, SERVICES } from '../../demo/environment.js';
import { dockerAvailable } from '../support/peers/docker.js';

const running = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe.skipIf(!dockerAvailable())('demoUp failing after its engine started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-demo-fail-'));
  let server: Server | undefined;
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the private dockerd and removes its folder', async () => {
    // One of blatam's seed ports taken (here, or by a demo someone runs): planning the services fails.
    const blatam = SERVICES.find((s) => s.project === 'blatam')!;
    server = await new Promise<Server | undefined>((resolve) => {
      const s = createServer().once('error', () => resolve(undefined));
      s.listen(blatam.port, '127.0.0.2', () => resolve(s));
    });
    const lines: string[] = [];
    const statePath = join(dir, 'state.json');
    await expect(demoUp({ statePath, layout: 'seed', projects: ['blatam'], privateEngine: true, log: (l) => lines.push(l) }))
      .rejects.toThrow(/Ports already in use: 127\.0\.0\.2:/);
    const socket = /\((\/[^)]+\/docker\.sock)\)/.exec(lines.join('\n'))?.[1];
    expect(socket, lines.join('\n')).toBeDefined();
    const engineDir = socket!.replace(/\/docker\.sock$/, '');
    expect(existsSync(engineDir)).toBe(false);
    expect(existsSync(statePath)).toBe(false);
    expect(processesNaming(engineDir).filter(running)).toEqual([]);
  });
});

/** Processes whose command line names this engine's folder (its dockerd, containerd, shims). */
function processesNaming(engineDir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(engineDir);
    } catch {
      return false;
    }
  });
}
