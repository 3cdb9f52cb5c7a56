/**
 * Kubernetes steps through a real sshd onto a host whose kubectl is the real client. No API server
 * can run here, so the kubeconfig's clusters are closed ports (kubectl's own "connection refused")
 * or a port that accepts and never answers; what reaches kubectl is proven by what kubectl itself
 * prints (`config view`, `create --dry-run=client -o yaml`) and by the argv of its live process.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '#core/inventory/schema.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { RunEngine } from '#core/runs/engine.js';
import { MemoryRunStore } from '#core/runs/memory-store.js';
import type { KubernetesCommand, RunOptions, StepOutcome } from '#core/runs/step-runner.js';
import { KubernetesStepRunner } from '#executors/kubernetes/kubernetes-step-runner.js';
import { SshStepRunner } from '#executors/ssh/ssh-step-runner.js';
import { lint, yaml } from '../core/runbooks/helpers.js';
import { kubeconfig, kubectlAvailable } from '../support/peers/kubectl.js';
import { freePort, sshdAvailable, startSshd, type SshdPeer } from '../support/peers/sshd.js';

const opts = (timeoutMs = 20_000): RunOptions & { chunks: string[] } => {
  const chunks: string[] = [];
  return { timeoutMs, signal: new AbortController().signal, onOutput: (c) => chunks.push(c), chunks };
};
const access = (context: string, over: object = {}) => ({ host: 'bastion', context, namespace: 'denis', local: false, kubectl: 'kubectl', ...over });
const inventoryWith = (kubernetes: object): Inventory => ({
  hosts: { bastion: { address: '127.0.0.1', port: 22, user: 'x', key_path: '/x', host_key: 'ssh-ed25519 AAAA' } }, docker: {}, secrets: [],
  systems: { denis: { name: 'denis', hosts: [], engines: {}, projects: {}, http: {}, kubernetes } },
} as unknown as Inventory);

/** The steps of a runbook denis/k (YAML flow steps), rendered against `inv`. */
function steps(inv: Inventory, ...lines: string[]) {
  const r = lint(yaml('title: K', 'steps:', ...lines.map((l) => `  - ${l}`)), {}, 'denis/k');
  expect(r.errors).toEqual([]);
  return renderRunbook({ ...r.runbook!, id: 'denis/k' }, {}, {}, inv).steps;
}
const commandOf = (inv: Inventory, line: string) => steps(inv, line)[0].command as KubernetesCommand;

/** PIDs of live processes whose argv contains `needle` (sshd runs on this machine). */
function processesWith(needle: string): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const d of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv[0]?.endsWith('kubectl') && argv.includes(needle)) out.push({ pid: Number(d), argv });
    } catch { /* gone */ }
  }
  return out;
}

describe.skipIf(!sshdAvailable() || !kubectlAvailable())('kubernetes steps: real sshd, real kubectl, no API server', () => {
  let peer: SshdPeer;
  let ssh: SshStepRunner;
  let runner: KubernetesStepRunner;
  let dir: string;
  let hole: Server;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-kube-'));
    hole = createServer(() => { /* accepts, never answers */ });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', () => r()));
    ports['ctx-a'] = await freePort();
    ports['ctx-b'] = await freePort();
    ports['ctx-hole'] = (hole.address() as { port: number }).port;
    writeFileSync(join(dir, 'config'), kubeconfig(ports));
    peer = await startSshd({ config: [`SetEnv KUBECONFIG=${join(dir, 'config')}`] });
    ssh = new SshStepRunner({ bastion: { address: peer.host, port: peer.port, user: peer.user, keyPath: peer.keyPath, hostKey: peer.hostKeyLine } });
    runner = new KubernetesStepRunner(ssh);
  });
  afterAll(async () => {
    await ssh?.close();
    hole?.close();
    await peer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a get with no reachable API server is a failed step carrying kubectl\'s own message', async () => {
    const store = new MemoryRunStore();
    const engine = new RunEngine({ store, runner, escalator: { escalate: async () => ({ message: 'paged' }) } });
    const s = steps(inventoryWith(access('ctx-a')), '{ id: pods, title: Pods, kubernetes: { get: pods, selector: app=denis } }');
    const run = await engine.start({ runbookId: 'denis/k', incidentId: null, params: {}, startedBy: 'U1', steps: s });
    const r = await engine.runStep(run.id, 'pods', { actor: 'U1' });
    expect(r).toMatchObject({ state: 'failed', exitCode: 1, reason: 'exit code 1, expected 0' });
    expect(r.command).toBe('ssh bastion kubectl --context=ctx-a --namespace=denis get pods --selector=app=denis');
    expect(r.output.text).toContain(`The connection to the server 127.0.0.1:${ports['ctx-a']} was refused`);
    await engine.close();
  });

  it('the inventory\'s context is the one kubectl uses: another context, another server in its error', async () => {
    const r = await runner.run(commandOf(inventoryWith(access('ctx-b')), '{ id: d, title: D, kubernetes: { describe: deployment/redis } }'), opts());
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain(`The connection to the server 127.0.0.1:${ports['ctx-b']} was refused`);
    expect(r.output).not.toContain(String(ports['ctx-a']));
  });

  it('kubectl itself reports the context the argv gave it (config view --minify)', async () => {
    const c = commandOf(inventoryWith(access('ctx-b')), '{ id: g, title: G, kubernetes: { get: pods } }');
    const probe = { ...c, argv: [...c.argv.slice(0, 3), 'config', 'view', '--minify', '--output=jsonpath={.current-context} {.contexts[0].context.cluster}'] };
    const r = await runner.run(probe, opts());
    expect(r).toMatchObject({ exitCode: 0, output: 'ctx-b c-ctx-b' });
  });

  it('namespace and a hostile value arrive whole: kubectl echoes them in a client-side dry run', async () => {
    const c = commandOf(inventoryWith(access('ctx-a')), '{ id: g, title: G, kubernetes: { get: pods, namespace: denis-staging } }');
    const hostile = `it's $(touch ${dir}/pwned) \`id\`; "q" | rm -rf / #`;
    const probe = { ...c, argv: [...c.argv.slice(0, 3), 'create', 'configmap', 'probe', `--from-literal=v=${hostile}`, '--dry-run=client', '--output=json'] };
    const r = await runner.run(probe, opts());
    expect(r.exitCode).toBe(0);
    const cm = JSON.parse(r.output);
    expect({ namespace: cm.metadata.namespace, v: cm.data.v }).toEqual({ namespace: 'denis-staging', v: hostile });
    expect(readdirSync(dir)).toEqual(['config']);
  });

  it('rollout restart that cannot reach the server fails with kubectl\'s message and never waits', async () => {
    const c = commandOf(inventoryWith(access('ctx-a')), '{ id: r, title: R, kubernetes: { restart: deployment/denis }, danger: true }');
    const r = await runner.run(c, opts());
    expect(r.exitCode).toBe(1);
    expect(r.output.match(/was refused/g)).toHaveLength(1);
  });

  it('rollout status gets --timeout= the rest of the step, and is killed at the step\'s deadline', async () => {
    const c = commandOf(inventoryWith(access('ctx-hole')), '{ id: s, title: S, kubernetes: { status: deployment/denis } }');
    const running = runner.run(c, opts(6_000));
    let seen: { pid: number; argv: string[] }[] = [];
    for (let i = 0; i < 100 && !seen.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = processesWith('--context=ctx-hole');
    }
    expect(seen).toHaveLength(1);
    const timeout = seen[0].argv.find((a) => a.startsWith('--timeout='));
    expect(seen[0].argv.slice(1, -1)).toEqual(['--context=ctx-hole', '--namespace=denis', 'rollout', 'status', 'deployment/denis']);
    const seconds = Number(/^--timeout=(\d+)s$/.exec(timeout ?? '')?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(4);
    const r = await running;
    expect(r.timedOut).toBe(true);
    expect(processesWith('--context=ctx-hole').filter((p) => p.pid === seen[0].pid)).toEqual([]);
  });

  it('logs with grep: kubectl\'s error still shows when nothing matched', async () => {
    const c = commandOf(inventoryWith(access('ctx-a')), '{ id: l, title: L, kubernetes: { logs: deployment/denis, tail: 50, grep: policy, ignore_case: true } }');
    const o = opts();
    const r = await runner.run(c, o);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('was refused');
    expect(o.chunks.join('')).toBe(r.output);
  });

  it('local: true runs this machine\'s kubectl without a shell', async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'config');
    try {
      const c = commandOf(inventoryWith(access('ctx-b', { host: undefined, local: true, kubectl: '/usr/bin/kubectl' })), '{ id: t, title: T, kubernetes: { top: pods } }');
      expect(c.argv[0]).toBe('/usr/bin/kubectl');
      const r = await runner.run(c, opts());
      expect(r.exitCode).toBe(1);
      expect(r.output).toContain(`The connection to the server 127.0.0.1:${ports['ctx-b']} was refused`);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
  it('local kubectl that never hears back is killed on abort, and on timeout', async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'config');
    try {
      const c = commandOf(inventoryWith(access('ctx-hole', { host: undefined, local: true })), '{ id: g, title: G, kubernetes: { get: pods } }');
      const abort = new AbortController();
      const running = runner.run(c, { timeoutMs: 20_000, signal: abort.signal, onOutput: () => {} });
      let seen: { pid: number }[] = [];
      for (let i = 0; i < 100 && !seen.length; i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = processesWith('--context=ctx-hole');
      }
      expect(seen).toHaveLength(1);
      abort.abort();
      expect(await running).toMatchObject({ exitCode: null, timedOut: false, error: 'cancelled: kubectl was killed' });
      expect(processesWith('--context=ctx-hole')).toEqual([]);
      expect(await runner.run(c, opts(1_500))).toMatchObject({ exitCode: null, timedOut: true });
      expect(processesWith('--context=ctx-hole')).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});

describe('kubernetes runner: restart then status (a recording process runner, no kubectl)', () => {
  const record = (exit: number) => {
    const calls: { argv: string[]; timeoutMs: number }[] = [];
    const run = async (argv: string[], o: RunOptions): Promise<StepOutcome> => {
      calls.push({ argv, timeoutMs: o.timeoutMs });
      o.onOutput(`${argv.at(-2)} done\n`);
      return { exitCode: exit, output: `${argv.at(-2)} done\n`, timedOut: false };
    };
    return { calls, run };
  };
  const c: KubernetesCommand = {
    kind: 'kubernetes', verb: 'restart', system: 'denis', local: true, context: 'x', namespace: 'denis', resource: 'deployment/a',
    argv: ['kubectl', 'rollout', 'restart', 'deployment/a'], wait: ['kubectl', 'rollout', 'status', 'deployment/a'],
  };

  it('waits for the rollout only after the restart succeeded, within what is left of the step', async () => {
    const ok = record(0);
    const r = await new KubernetesStepRunner(undefined, ok.run).run(c, opts(30_000));
    expect(ok.calls.map((x) => x.argv)).toEqual([c.argv, [...c.wait!, expect.stringMatching(/^--timeout=2[78]s$/)]]);
    expect(ok.calls[1].timeoutMs).toBeLessThanOrEqual(30_000);
    expect(r).toMatchObject({ exitCode: 0, output: 'restart done\ndeployment/a done\n' });
    const failing = record(1);
    await new KubernetesStepRunner(undefined, failing.run).run(c, opts(30_000));
    expect(failing.calls).toHaveLength(1);
  });

  it('without access in the inventory nothing runs', async () => {
    const none = record(0);
    const r = await new KubernetesStepRunner(undefined, none.run).run({ ...c, local: undefined }, opts());
    expect(r.error).toMatch(/system "denis" has no kubernetes access in the inventory/);
    expect(none.calls).toEqual([]);
  });
});
