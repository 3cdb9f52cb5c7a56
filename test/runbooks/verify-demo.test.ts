/**
 * `opsroom verify` on the demo environment (demo/): the demo's Docker and HTTP runbooks of blatam
 * and minimarket (those without SSH steps: the demo has no SSH host) plus an ops runbook on a real
 * sshd. All fit on the healthy demo (exit 0); then exactly the broken runbook is reported after a
 * container is renamed, a program is removed from the SSH host and the host's key changes.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { main } from '#cli/verify.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { type SshdPeer, sshdAvailable, startSshd } from '../support/peers/sshd.js';
import { CONFIG, RUNBOOKS } from './seeds-fixtures.js';

const ready = dockerAvailable() && sshdAvailable() && ['web', 'redis', 'postgres'].every((k) => missingFor(k as 'web').length === 0);

let dir: string;
let demo: Demo;
let sshd: SshdPeer;
let tool: string;
const copied: string[] = [];

const hostRunbook = (toolPath: string) => `title: Chequeo del host de operaciones
ssh: { host: ops-host }
steps:
  - id: disk
    title: Espacio en disco
    read_only: true
    ssh: { command: "df -h / | tail -1" }
  - id: stats
    title: Estadísticas del agente
    read_only: true
    ssh: { command: "uptime && ${toolPath} --brief | head -3" }
`;

function writeInventory(hostKeyLine: string) {
  const doc = parseDocument(readFileSync(demo.state.inventoryPath!, 'utf8'));
  const key = hostKeyLine.split(' ').slice(1).join(' ');
  doc.setIn(['systems', 'ops'], doc.createNode({
    description: 'Host de operaciones', hosts: { 'ops-host': { address: sshd.host, port: sshd.port, user: sshd.user, key_path: sshd.keyPath, host_key: key } },
  }));
  writeFileSync(join(dir, 'inventory.yml'), doc.toString());
}

async function verify(): Promise<{ code: number; report: { ok: boolean; runbooks: number; problems: { runbook: string; step: string; line: number; message: string }[]; skipped: { runbook: string; reason: string }[] } }> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
  try {
    const code = await main(['--runbooks', join(dir, 'runbooks'), '--inventory', join(dir, 'inventory.yml'), '--config', CONFIG, '--format', 'json', '--no-record']);
    return { code, report: JSON.parse(out.join('')) };
  } finally {
    spy.mockRestore();
  }
}

const broken = (r: Awaited<ReturnType<typeof verify>>) => [...new Set(r.report.problems.map((p) => p.runbook))];

beforeAll(async () => {
  if (!ready) return;
  dir = mkdtempSync(join(tmpdir(), 'opsroom-verify-demo-'));
  demo = await demoUp({ statePath: join(dir, 'state.json'), layout: 'isolated', privateEngine: true });
  sshd = await startSshd();
  tool = join(dir, 'bin', 'agent-stats');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(tool, '#!/bin/sh\necho "agent ok"\n');
  chmodSync(tool, 0o755);
  writeInventory(sshd.hostKeyLine);
  for (const system of ['blatam', 'minimarket']) {
    const { runbooks, errors } = await loadRunbooks(join(RUNBOOKS, system), { root: RUNBOOKS });
    expect(errors).toEqual([]);
    mkdirSync(join(dir, 'runbooks', system), { recursive: true });
    for (const rb of runbooks.filter((r) => !r.steps.some((s) => 'ssh' in s && s.ssh))) {
      copyFileSync(rb.file, join(dir, 'runbooks', system, basename(rb.file)));
      copied.push(rb.id);
    }
  }
  mkdirSync(join(dir, 'runbooks', 'ops'));
  writeFileSync(join(dir, 'runbooks', 'ops', 'host-check.yml'), hostRunbook(tool));
}, 600_000);
afterAll(async () => {
  await demo?.down();
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('opsroom verify on the demo', () => {
  it('every runbook fits the healthy demo', async () => {
    expect(copied.length).toBeGreaterThan(4);
    const r = await verify();
    expect(r.report.problems).toEqual([]);
    expect(r.code).toBe(0);
    // A runbook whose required parameter has no default is named as not checked, not counted as fitting.
    expect(r.report.runbooks + r.report.skipped.length).toBe(copied.length + 1);
    expect(r.report.skipped.every((s) => /^needs /.test(s.reason))).toBe(true);
  }, 300_000);

  it('a renamed container breaks exactly the runbook that names it', async () => {
    const db = demo.docker.getContainer((await demo.docker.getContainer('inventario_retail_db').inspect()).Id);
    await db.rename({ name: 'inventario_retail_db_old' });
    try {
      const r = await verify();
      expect(r.code).toBe(1);
      expect(broken(r)).toEqual(['minimarket/high-error-rate']);
      expect(r.report.problems.every((p) => /no container matches|inventario_retail_db/.test(p.message))).toBe(true);
    } finally {
      await db.rename({ name: 'inventario_retail_db' });
    }
    expect((await verify()).code).toBe(0);
  }, 300_000);

  it('a program removed from the SSH host breaks exactly the runbook that calls it, at its step', async () => {
    rmSync(tool);
    try {
      const r = await verify();
      expect(r.code).toBe(1);
      expect(r.report.problems.map((p) => [p.runbook, p.step, p.line, p.message])).toEqual([['ops/host-check', 'stats', 8, `ssh ${tool} is not installed there`]]);
    } finally {
      writeFileSync(tool, '#!/bin/sh\necho "agent ok"\n');
      chmodSync(tool, 0o755);
    }
  }, 300_000);

  it('a changed host key is reported as such, for the runbook of that host only', async () => {
    writeInventory(sshd.wrongHostKeyLine);
    try {
      const r = await verify();
      expect(r.code).toBe(1);
      expect(broken(r)).toEqual(['ops/host-check']);
      expect(r.report.problems.map((p) => p.message.slice(0, 26))).toEqual(['ssh host key changed: Host', 'ssh host key changed: Host']);
    } finally {
      writeInventory(sshd.hostKeyLine);
    }
  }, 300_000);
});
