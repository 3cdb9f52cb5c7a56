/**
 * Two Docker engines at once, as an inventory of systems describes them: blatam's demo on engine A
 * through its unix socket, minimarket's demo on engine B inside a "remote host" (its own network
 * namespace) that opsroom reaches only over SSH (the Engine API through a streamlocal channel to
 * B's socket, checked against B's pinned host key). The seed runbooks render unchanged against this
 * inventory and their diagnostics run on the engine of their system; an HTTP check `via` the host
 * reaches the dashboard that listens only on the remote side's loopback.
 *
 * On one machine, "remote" means: engine B's containers and the dashboard live in another network
 * namespace, so their 127.x addresses are not reachable from here (proved below); B's unix socket is
 * a file opsroom could open as root, but nothing in the inventory points there except the tunnel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { parseInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { loadRunbookFile, parseRunbook } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { type CompositeStepRunner, HttpStepRunner, runnerFromInventory } from '#executors/index.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { type RemoteHost, remoteHostAvailable, startRemoteHost } from '../support/peers/remote-host.js';
import { CONFIG, RUNBOOKS } from '../runbooks/seeds-fixtures.js';

const available = () => dockerAvailable() && remoteHostAvailable() && ['web', 'redis', 'postgres', 'prometheus', 'alertmanager'].flatMap((k) => missingFor(k as never)).length === 0;
const opts = () => ({ timeoutMs: 20_000, signal: new AbortController().signal, onOutput: () => {} });

describe.skipIf(!available())('two engines: a socket and one reached only over SSH', () => {
  let dir: string;
  let remote: RemoteHost;
  let a: Demo;
  let b: Demo;
  let inventory: Inventory;
  let runner: CompositeStepRunner;
  const inventoryText = (hostKey: string) => {
    const bSocket = b.state.engine.kind === 'private' ? b.state.engine.socketPath : '';
    const aSocket = a.state.engine.kind === 'private' ? a.state.engine.socketPath : '';
    return [
      'systems:',
      '  blatam:',
      '    hosts:',
      '      blatam-host:',
      `        { address: 127.0.0.1, port: ${remote.port}, user: root, key_path: ${remote.keyPath}, host_key: "${remote.hostKeyLine}" }`,
      `    engines: { a: { socket: ${aSocket} } }`,
      '    projects: { blatam: {} }',
      `    http: { api: "${a.endpoint('blatam/api').url}" }`,
      '  minimarket:',
      '    hosts:',
      '      minimarket-host:',
      `        { address: 127.0.0.1, port: ${remote.port}, user: root, key_path: ${remote.keyPath}, host_key: "${hostKey}" }`,
      `    engines: { b: { ssh: minimarket-host, socket: ${bSocket} } }`,
      '    projects: { minimarket: {} }',
      '    containers: [dashboard, inventario_retail_db, redis, agente-deposito, agente-negocio]',
      `    http: { dashboard: { url: "${b.endpoint('minimarket/dashboard').url}", via: minimarket-host } }`,
    ].join('\n');
  };
  const load = (text: string) => {
    const r = parseInventory('inventory.yml', text);
    expect(r.errors).toEqual([]);
    return r.inventory!;
  };
  const run = (s: ResolvedStep, r = runner) => r.run(s.command, opts());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-engines-'));
    remote = await startRemoteHost();
    [a, b] = await Promise.all([
      demoUp({ statePath: join(dir, 'a', 'state.json'), layout: 'isolated', projects: ['blatam'], privateEngine: true }),
      demoUp({ statePath: join(dir, 'b', 'state.json'), layout: 'isolated', projects: ['minimarket'], privateEngine: true, netns: remote.netns }),
    ]);
    inventory = load(inventoryText(remote.hostKeyLine));
    runner = runnerFromInventory(inventory);
  }, 600_000);
  afterAll(async () => {
    await runner?.close();
    await Promise.all([a?.down(), b?.down()]);
    await remote?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const seed = async (id: string) => {
    const config = loadFileConfig(CONFIG);
    const r = await loadRunbookFile(`${RUNBOOKS}/${id}.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    expect(r.errors).toEqual([]);
    return r.runbook!;
  };

  it('the remote dashboard listens only on the remote loopback: not reachable from here', async () => {
    const direct = await new HttpStepRunner().run({ kind: 'http', method: 'GET', url: `${b.endpoint('minimarket/dashboard').url}/health` }, opts());
    expect(direct.error).toMatch(/ECONNREFUSED/);
  });

  it('minimarket\'s seed runs its docker diagnostics on engine B, over SSH, unchanged', async () => {
    const rb = await seed('minimarket/database-down');
    const { steps } = renderRunbook(rb, {}, {}, inventory);
    const ps = steps.find((s) => s.id === 'ps')!;
    expect(ps.command).toMatchObject({ target: { composeProject: 'minimarket', composeService: 'postgres', engine: 'minimarket/b' } });
    const out = await run(ps);
    expect(out.error).toBeUndefined();
    expect(judge(ps, out)).toMatchObject({ state: 'succeeded' });
    expect(out.output).toMatch(/inventario_retail_db\s+postgres\s+running/);
    const ready = steps.find((s) => s.command.kind === 'docker' && s.command.action === 'exec' && s.command.argv[0] === 'pg_isready')!;
    const r = await run(ready);
    expect(r.output).toContain('accepting connections');
    expect(judge(ready, r).state).toBe('succeeded');
  });

  it('blatam\'s seed runs on engine A through its socket, and does not see minimarket there', async () => {
    const rb = await seed('blatam/system-down');
    const { steps } = renderRunbook(rb, {}, {}, inventory);
    const redis = steps.find((s) => s.command.kind === 'docker' && s.command.action === 'exec' && s.command.argv.join(' ') === 'redis-cli ping')!;
    expect(redis.command).toMatchObject({ target: { composeProject: 'blatam', composeService: 'redis', engine: 'blatam/a' } });
    const pong = await run(redis);
    expect(pong.output).toBe('PONG\n');
    // The same target on engine A would not find minimarket's containers: the engines are distinct.
    const wrong = { ...redis, command: { ...redis.command, target: { composeProject: 'minimarket', composeService: 'redis', engine: 'blatam/a' } } } as ResolvedStep;
    const refused = await run(wrong);
    expect(refused.error).toMatch(/compose project "minimarket" is not one system "blatam" lists on engine "a"/);
  });

  it('an HTTP check via minimarket-host reaches the dashboard on the remote loopback, and sees it break', async () => {
    const rb = parseRunbook('h.yml', 'title: H\nsteps:\n  - { id: health, title: Salud, http: { base: dashboard, path: /health, expect_status: 200 } }', 'minimarket/h', { inventory }).runbook!;
    const [health] = renderRunbook(rb, {}, {}, inventory).steps;
    expect(health.command).toMatchObject({ via: 'minimarket-host' });
    const ok = await run(health);
    expect(ok.httpStatus).toBe(200);
    expect(ok.output).toContain('"status":"ok"');
    await b.break('dashboard', 'unhealthy');
    const bad = await run(health);
    expect(judge(health, bad)).toMatchObject({ state: 'failed', reason: 'HTTP status 500, expected 200' });
    await b.fix('dashboard');
  });

  it('a wrong pinned host key for the ssh:// engine is refused with both fingerprints', async () => {
    const wrongInv = load(inventoryText(remote.wrongHostKeyLine));
    const wrong = runnerFromInventory(wrongInv);
    try {
      const rb = await seed('minimarket/database-down');
      const ps = renderRunbook(rb, {}, {}, wrongInv).steps.find((s) => s.id === 'ps')!;
      const out = await run(ps, wrong);
      expect(out.error).toMatch(/Host key for "minimarket-host" .* does not match the inventory: expected ssh-ed25519 SHA256:\S+, presented ssh-ed25519 SHA256:\S+\. Refusing to connect\./);
      expect(out.output).toBe('');
    } finally {
      await wrong.close();
    }
  });
});
