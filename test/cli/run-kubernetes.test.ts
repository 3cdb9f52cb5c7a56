/**
 * `opsroom run` on a kubernetes runbook, end to end: the inventory file's systems.<name>.kubernetes,
 * the dry run and the confirmation showing kubectl's exact argv, the real SSH executor onto a real
 * sshd whose kubectl is the real client, and kubectl's own error stored on the failed step. No API
 * server runs: the kubeconfig's cluster is a closed port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type RunIo } from '#cli/run.js';
import { openDatabase } from '#store/db.js';
import { KyselyRunStore } from '#store/runs.js';
import { kubeconfig, kubectlAvailable } from '../support/peers/kubectl.js';
import { freePort, sshdAvailable, startSshd, type SshdPeer } from '../support/peers/sshd.js';

const RUNBOOK = `
title: Redis caído
steps:
  - id: pods
    title: Ver pods
    kubernetes: { get: pods, selector: app=redis }
    on_failure: continue
  - id: restart
    title: Reiniciar Redis
    kubernetes: { restart: statefulset/redis }
    danger: true
    timeout: 30s
`;

describe.skipIf(!sshdAvailable() || !kubectlAvailable())('opsroom run: kubernetes steps through the bastion', () => {
  let dir: string;
  let peer: SshdPeer;
  let port: number;
  let out = '';
  const io = (over: Partial<RunIo> = {}): RunIo => ({ out: (t) => void (out += t), err: (t) => void (out += t), env: {}, ...over });
  const args = (...more: string[]) => ['denis/redis', '--runbooks', join(dir, 'runbooks'), '--inventory', join(dir, 'inventory.yml'),
    '--db', `sqlite:${join(dir, 'o.db')}`, '--config', join(dir, 'none.yml'), ...more];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-run-kube-'));
    port = await freePort();
    writeFileSync(join(dir, 'kubeconfig'), kubeconfig({ 'denis-prod': port }));
    peer = await startSshd({ config: [`SetEnv KUBECONFIG=${join(dir, 'kubeconfig')}`] });
    mkdirSync(join(dir, 'runbooks', 'denis'), { recursive: true });
    writeFileSync(join(dir, 'runbooks', 'denis', 'redis.yml'), RUNBOOK);
    writeFileSync(join(dir, 'inventory.yml'), [
      'systems:',
      '  denis:',
      '    hosts:',
      `      denis-bastion: { address: ${peer.host}, port: ${peer.port}, user: ${peer.user}, key_path: ${peer.keyPath}, host_key: "${peer.hostKeyLine}" }`,
      '    kubernetes: { host: denis-bastion, context: denis-prod, namespace: denis }',
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await peer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const GET = 'ssh denis-bastion kubectl --context=denis-prod --namespace=denis get pods --selector=app=redis';
  const RESTART = 'ssh denis-bastion kubectl --context=denis-prod --namespace=denis rollout restart statefulset/redis';

  it('--dry-run shows the exact kubectl argv, where it runs, and the lock target', async () => {
    out = '';
    expect(await runCommand(args('--dry-run'), io())).toBe(0);
    expect(out).toContain(`command: ${GET}\n`);
    expect(out).toContain(`command: ${RESTART} && ssh denis-bastion kubectl --context=denis-prod --namespace=denis rollout status statefulset/redis --timeout=<rest of the step's timeout>`);
    expect(out).toContain('target:  kubernetes:denis-prod/denis/statefulset/redis');
  });

  it('the confirmation shows the argv; the run reaches the real kubectl, whose error fails the step', async () => {
    out = '';
    const asked: string[] = [];
    const code = await runCommand(args(), io({ ask: async (q) => (asked.push(q), 'y') }));
    expect(code).toBe(1);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(`${RESTART} && ssh denis-bastion`);
    expect(asked[0]).toContain('(kubernetes:denis-prod/denis/statefulset/redis)');
    const database = await openDatabase(`sqlite:${join(dir, 'o.db')}`);
    try {
      const store = new KyselyRunStore(database);
      const [run] = await store.listRuns();
      const attempts = await store.attempts(run.id);
      expect(attempts.map((a) => [a.stepId, a.state, a.exitCode])).toEqual([['pods', 'failed', 1], ['restart', 'failed', 1]]);
      for (const a of attempts) expect(a.output).toContain(`The connection to the server 127.0.0.1:${port} was refused`);
      expect(attempts[0].command).toBe(GET);
    } finally {
      await database.close();
    }
  });
});
