/**
 * `opsroom verify` over SSH, against a real sshd: a program the command starts must be installed
 * on the host (`command -v`, every program of a pipeline or chain), and a host whose key changed
 * is reported as such, not trusted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRunbooks } from '#core/verify/check.js';
import { loadInventory } from '#core/inventory/loader.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { runnerFromInventory } from '#executors/index.js';
import { type SshdPeer, sshdAvailable, startSshd } from '../support/peers/sshd.js';

const ready = sshdAvailable();
let sshd: SshdPeer;
let dir: string;

const RUNBOOK = `
title: Chequeo del host
ssh: { host: ops-host }
steps:
  - id: disk
    title: Espacio en disco
    read_only: true
    ssh: { command: "df -h /" }
  - id: cache
    title: Estadísticas de la caché
    read_only: true
    ssh: { command: "kv-cache-cli-that-is-gone stats" }
  - id: chain
    title: Carga y filtro
    read_only: true
    ssh: { command: "uptime | grep -q average && env LC_ALL=C filter-that-is-gone --quiet" }
`;

beforeAll(async () => {
  if (!ready) return;
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-verify-ssh-'));
  mkdirSync(join(dir, 'runbooks', 'ops'), { recursive: true });
  writeFileSync(join(dir, 'runbooks', 'ops', 'host.yml'), RUNBOOK);
}, 60_000);
afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function verify(hostKeyLine: string) {
  const key = hostKeyLine.split(' ').slice(1).join(' ');
  writeFileSync(join(dir, 'inventory.yml'), `hosts:\n  ops-host: { address: ${sshd.host}, port: ${sshd.port}, user: ${sshd.user}, key_path: ${sshd.keyPath}, host_key: "${key}" }\n`);
  const loaded = await loadInventory(join(dir, 'inventory.yml'));
  expect(loaded.errors).toEqual([]);
  const inventory = loaded.inventory!;
  const { runbooks, errors } = await loadRunbooks(join(dir, 'runbooks'), { inventory });
  expect(errors).toEqual([]);
  const runner = runnerFromInventory(inventory);
  try {
    return (await verifyRunbooks(runbooks, inventory, runner)).problems;
  } finally {
    await runner.close();
  }
}

describe.skipIf(!ready)('opsroom verify over SSH', () => {
  it('names the program missing on the host, at its step line', async () => {
    const problems = await verify(sshd.hostKeyLine);
    expect(problems.map((p) => [p.step, p.line, p.message])).toEqual([
      ['cache', 9, 'ssh kv-cache-cli-that-is-gone is not installed there'],
      // Every program of a pipeline or chain is asked for, not just the first.
      ['chain', 13, 'ssh filter-that-is-gone is not installed there'],
    ]);
  });

  it('reports every step of a host whose key changed', async () => {
    const problems = await verify(sshd.wrongHostKeyLine);
    expect(problems.map((p) => p.step)).toEqual(['disk', 'cache', 'chain']);
    expect(problems[0].message).toMatch(/^ssh host key changed: /);
  });
});
