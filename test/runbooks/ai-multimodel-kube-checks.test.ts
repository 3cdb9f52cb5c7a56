/**
 * The ai-multimodel pod and log checks fixed against seed 003, run as the run engine runs them: over
 * a real sshd, with the real kubectl (Debian kubernetes-client) on the "bastion". No Kubernetes API
 * server runs on these machines, so a stand-in answers the few requests kubectl makes for
 * `get pods` and `logs deployment/…` (discovery, a pod table, a deployment, a pod log). Each check
 * passes on healthy pods and clean logs, and fails on unhealthy pods, error lines, or kubectl failing,
 * where the seed's own command passed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import { type CompositeStepRunner, runnerFromInventory } from '#executors/index.js';
import { kubectlAvailable } from '../support/peers/kubectl.js';
import { type SshdPeer, sshdAvailable, startSshd } from '../support/peers/sshd.js';
import { CONFIG, INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const ready = sshdAvailable() && kubectlAvailable();
type PodRow = [name: string, ready: string, status: string];

/** What the stand-in API serves: the pods of namespace production and the API pod's log. */
const cluster = { pods: [] as PodRow[], log: '', up: true };

function apiStandIn(): Server {
  const json = (res: ServerResponse, o: unknown, code = 200) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(o));
  };
  const resource = (name: string, kind: string) => ({ name, singularName: name.slice(0, -1), namespaced: true, kind, verbs: ['get', 'list'] });
  const selector = { matchLabels: { app: 'api' } };
  const pod = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'ai-multimodel-api-1', namespace: 'production', labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api' }] }, status: { phase: 'Running' } };
  return createServer((req, res) => {
    if (!cluster.up) return json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503 }, 503);
    const path = (req.url ?? '').split('?')[0];
    const table = () => ({
      kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {},
      columnDefinitions: ['Name', 'Ready', 'Status', 'Restarts', 'Age'].map((n) => ({ name: n, type: 'string', format: n === 'Name' ? 'name' : '', description: '', priority: 0 })),
      rows: cluster.pods.map(([n, r, s]) => ({ cells: [n, r, s, '0', '5m'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: n, namespace: 'production' } } })),
    });
    const routes: Record<string, () => unknown> = {
      '/api': () => ({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }),
      '/apis': () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] }),
      '/api/v1': () => ({ kind: 'APIResourceList', groupVersion: 'v1', resources: [resource('pods', 'Pod')] }),
      '/apis/apps/v1': () => ({ kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [resource('deployments', 'Deployment')] }),
      '/apis/apps/v1/namespaces/production/deployments/ai-multimodel-api': () => ({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'ai-multimodel-api', namespace: 'production' }, spec: { selector, template: { metadata: { labels: { app: 'api' } }, spec: pod.spec } } }),
      '/api/v1/namespaces/production/pods': () => ((req.url ?? '').includes('labelSelector') ? { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod] } : table()),
      '/api/v1/namespaces/production/pods/ai-multimodel-api-1': () => pod,
    };
    if (path === '/api/v1/namespaces/production/pods/ai-multimodel-api-1/log') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(cluster.log);
    }
    const route = routes[path];
    if (route) return json(res, route());
    json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }, 404);
  });
}

describe.skipIf(!ready)('ai-multimodel pod and log checks: real kubectl over SSH', () => {
  let sshd: SshdPeer;
  let api: Server;
  let dir: string;
  let inventory: Inventory;
  let runner: CompositeStepRunner;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-ai-kube-'));
    api = apiStandIn();
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    const port = (api.address() as AddressInfo).port;
    writeFileSync(join(dir, 'kubeconfig'), stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'prod',
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: {} }], contexts: [{ name: 'prod', context: { cluster: 'c', user: 'u' } }],
    }));
    sshd = await startSshd({ config: [`SetEnv KUBECONFIG=${join(dir, 'kubeconfig')} HOME=${dir}`] });
    const inv = parse(readFileSync(INVENTORY, 'utf8'));
    const host = { address: sshd.host, port: sshd.port, user: sshd.user, key_path: sshd.keyPath, host_key: sshd.hostKeyLine.split(' ').slice(1).join(' ') };
    inv.systems['ai-multimodel'].hosts['ai-multimodel-bastion'] = { ...inv.systems['ai-multimodel'].hosts['ai-multimodel-bastion'], ...host };
    writeFileSync(join(dir, 'inventory.yml'), stringify(inv));
    const loaded = await loadInventory(join(dir, 'inventory.yml'));
    expect(loaded.errors).toEqual([]);
    inventory = loaded.inventory!;
    runner = runnerFromInventory(inventory);
  }, 60_000);
  afterAll(async () => {
    await runner?.close();
    await sshd?.stop();
    await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exec = (command: string) =>
    runner.run({ kind: 'ssh', host: 'ai-multimodel-bastion', command }, { timeoutMs: 30_000, signal: new AbortController().signal, onOutput: () => {} });
  async function run(id: string, stepId: string) {
    const config = loadFileConfig(CONFIG);
    const { runbooks, errors } = await loadRunbooks(`${RUNBOOKS}/ai-multimodel/${id}.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    expect(errors).toEqual([]);
    const step = renderRunbook(runbooks[0], {}, {}, inventory).steps.find((s) => s.id === stepId)!;
    expect(step.command.kind).toBe('ssh');
    const outcome = await runner.run(step.command, { timeoutMs: 30_000, signal: new AbortController().signal, onOutput: () => {} });
    return { state: judge(step, outcome).state, output: outcome.output };
  }
  const CHECKS: [string, string][] = [['service-down', 'pods'], ['weekly-maintenance', 'not-running'], ['pre-deployment', 'bad-pods']];
  const healthy: PodRow[] = [['ai-multimodel-api-1', '1/1', 'Running'], ['ai-multimodel-frontend-1', '1/1', 'Running']];

  it.each(CHECKS)('%s#%s passes when every pod runs', async (id, step) => {
    cluster.up = true;
    cluster.pods = healthy;
    const r = await run(id, step);
    expect(r.state, r.output).toBe('succeeded');
  });

  it.each(CHECKS)('%s#%s fails on a pod in CrashLoopBackOff, and when kubectl fails', async (id, step) => {
    cluster.up = true;
    cluster.pods = [...healthy, ['ai-multimodel-api-2', '0/1', 'CrashLoopBackOff']];
    const r = await run(id, step);
    expect(r.state).toBe('failed');
    expect(r.output).toContain('ai-multimodel-api-2');
    cluster.up = false;
    expect((await run(id, step)).state).toBe('failed');
  });

  it('service-down#pods fails on a Running pod that is not ready, and with no ai-multimodel pods', async () => {
    cluster.up = true;
    cluster.pods = [['ai-multimodel-api-1', '0/1', 'Running']];
    // The seed's command passes on it: the pod is listed.
    expect((await exec('kubectl get pods -n production | grep ai-multimodel')).exitCode).toBe(0);
    expect((await run('service-down', 'pods')).state).toBe('failed');
    cluster.pods = [['redis-0', '1/1', 'Running']];
    expect((await run('service-down', 'pods')).state).toBe('failed');
  });

  it('weekly-maintenance#not-running: the seed\'s count exits 0 even with a crashing pod', async () => {
    cluster.up = true;
    cluster.pods = [['ai-multimodel-api-2', '0/1', 'CrashLoopBackOff']];
    expect((await exec('kubectl get pods -n production | grep -v Running | wc -l')).exitCode).toBe(0);
    const r = await run('weekly-maintenance', 'not-running');
    expect(r.state).toBe('failed');
    expect(r.output).toContain('1 pods no Running');
  });

  it('post-deployment-validation#errors: clean logs pass, error lines fail, and kubectl failing is not "No errors found"', async () => {
    cluster.up = true;
    cluster.log = 'INFO started\nINFO GET /health 200\n';
    const clean = await run('post-deployment-validation', 'errors');
    expect(clean.state, clean.output).toBe('succeeded');
    expect(clean.output).toContain('No errors found');
    cluster.log = 'INFO started\nERROR upstream timeout\n';
    const dirty = await run('post-deployment-validation', 'errors');
    expect(dirty.state).toBe('failed');
    expect(dirty.output).toContain('ERROR upstream timeout');
    cluster.up = false;
    const seed = await exec('kubectl logs deployment/ai-multimodel-api -n production --since=5m | grep -i error || echo "No errors found"');
    expect(seed.output).toContain('No errors found');
    const down = await run('post-deployment-validation', 'errors');
    expect(down.state).toBe('failed');
    expect(down.output).not.toContain('No errors found');
  });
});
