/**
 * `opsroom verify` on a kubernetes runbook, through the real SSH executor onto a real sshd whose
 * kubectl is the real client: each step's resource is asked for with `kubectl get … -o name` on the
 * bastion (a restart step is never run), and a cluster that does not answer is reported at each
 * step's line with kubectl's own error. No API server runs: the kubeconfig's cluster is a closed port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '#core/inventory/loader.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { verifyRunbooks } from '#core/verify/check.js';
import { runnerFromInventory } from '#executors/index.js';
import { kubeconfig, kubectlAvailable } from '../support/peers/kubectl.js';
import { freePort, sshdAvailable, startSshd, type SshdPeer } from '../support/peers/sshd.js';

const RUNBOOK = `
title: Redis caído
steps:
  - id: pods
    title: Ver pods
    kubernetes: { get: pods, selector: app=redis }
  - id: restart
    title: Reiniciar Redis
    kubernetes: { restart: statefulset/redis }
    danger: true
`;

describe.skipIf(!sshdAvailable() || !kubectlAvailable())('opsroom verify: kubernetes resources through the bastion', () => {
  let dir: string;
  let peer: SshdPeer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-verify-kube-'));
    writeFileSync(join(dir, 'kubeconfig'), kubeconfig({ 'denis-prod': await freePort() }));
    peer = await startSshd({ config: [`SetEnv KUBECONFIG=${join(dir, 'kubeconfig')}`] });
    mkdirSync(join(dir, 'runbooks', 'denis'), { recursive: true });
    writeFileSync(join(dir, 'runbooks', 'denis', 'redis.yml'), RUNBOOK);
    writeFileSync(join(dir, 'inventory.yml'), [
      'systems:', '  denis:', '    hosts:',
      `      denis-bastion: { address: ${peer.host}, port: ${peer.port}, user: ${peer.user}, key_path: ${peer.keyPath}, host_key: "${peer.hostKeyLine}" }`,
      '    kubernetes: { host: denis-bastion, context: denis-prod, namespace: denis }', '',
    ].join('\n'));
  });
  afterAll(async () => {
    await peer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports each resource the cluster cannot show, at its step line, with kubectl\'s error', async () => {
    const inventory = (await loadInventory(join(dir, 'inventory.yml'))).inventory!;
    const { runbooks, errors } = await loadRunbooks(join(dir, 'runbooks'), { inventory });
    expect(errors).toEqual([]);
    const runner = runnerFromInventory(inventory);
    try {
      const { problems } = await verifyRunbooks(runbooks, inventory, runner, { timeoutMs: 10_000 });
      expect(problems.map((p) => [p.step, p.line])).toEqual([['pods', 4], ['restart', 7]]);
      for (const p of problems) expect(p.message).toMatch(/^kubernetes .*(refused|127\.0\.0\.1)/);
    } finally {
      await runner.close();
    }
  }, 60_000);
});
