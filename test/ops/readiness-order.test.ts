/**
 * /readyz says ready only once the replica serves Slack requests: a load balancer that starts
 * sending at the first 200 never gets "starting" (503). Real replica process, signed requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '#workspace/index.js';
import { freePort } from '../support/peers/sshd.js';

describe('readiness while starting', () => {
  let child: ChildProcess | undefined;
  let ws: Workspace | undefined;
  let dir = '';
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await ws?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 only when a Slack request sent right then is served', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-readyz-'));
    writeFileSync(join(dir, 'opsroom.yml'), 'handoff:\n  pagerduty: false\n');
    ws = new Workspace({ incidentsChannel: { id: 'C0INCIDENTS', name: 'incidents' } });
    await ws.listen(0);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    ws.appUrl = `${url}/slack/events`;
    child = spawn(process.execPath, ['--import', 'tsx', 'test/ops/support/replica.ts'], {
      env: {
        ...process.env, PORT: String(port), OPSROOM_HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`,
        SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS',
        // The shipped runbooks: loading them is part of starting.
        OPSROOM_CONFIG: join(dir, 'opsroom.yml'), OPSROOM_RUNBOOKS: 'runbooks', OPSROOM_INVENTORY: join(dir, 'none.yml'), LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (c) => (err = (err + c).slice(-4000)));

    // Probe like a load balancer, as fast as it can, from the moment the process starts.
    const seen: number[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await fetch(`${url}/readyz`).then((x) => x.status, () => 0);
      if (seen.at(-1) !== r) seen.push(r);
      if (r === 200) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not ready (${seen.join(' -> ')}): ${err}`);
      await new Promise((res) => setTimeout(res, 5));
    }
    const first = await ws.slash('U0ALICE', 'C0GENERAL', 'open P3 Right after ready');
    expect(first.status).toBe(200);
    expect(first.json?.text).toMatch(/Opened \*INC-1\*/);
    // Listening but not ready came first (so the probe ran during start-up), then ready.
    expect(seen).toEqual([...(seen[0] === 0 ? [0] : []), 503, 200]);
  }, 90_000);
});
