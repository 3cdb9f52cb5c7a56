/**
 * `opsroom verify` against a real private dockerd (a busybox container labelled blatam/redis) and
 * a real local HTTP server: all fits, then a renamed container and an endpoint that went away are
 * reported with their file:line, and nothing was changed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '#cli/verify.js';
import { openDatabase } from '#store/db.js';
import { KyselyHealthStore } from '#store/runbook-health.js';
import { verifyRunbooks } from '#core/verify/check.js';
import { loadInventory } from '#core/inventory/loader.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { runnerFromInventory } from '#executors/index.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { busyboxRedis, type RedisEngine } from '../slack/support/runs-world.js';

const ready = dockerAvailable();
let engine: RedisEngine;
let dir: string;
let server: Server;
let base: string;

const runbook = (url: string) => `
title: Rutina de verificación
docker: { project: blatam }
steps:
  - id: ps
    title: Servicio Redis
    docker: { service: redis, ps: true }
  - id: by-name
    title: Contenedor por nombre
    read_only: true
    docker: { container: blatam-redis-1, exec: [echo, hola] }
  - id: health
    title: Salud HTTP
    http: { url: "${url}" }
  - id: restart
    title: Reiniciar
    docker: { service: redis, restart: true }
    danger: true
`;

beforeAll(async () => {
  if (!ready) return;
  engine = await busyboxRedis();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-verify-'));
  server = createServer((req, res) => void res.writeHead(req.url === '/health' ? 200 : 404).end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(join(dir, 'inventory.yml'), `docker: { socket_path: ${engine.socketPath} }\n`);
}, 120_000);
afterAll(async () => {
  server?.close();
  await engine?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function verify(url: string) {
  const folder = join(dir, `runbooks-${Math.random().toString(36).slice(2)}`, 'runbooks', 'ops');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'check.yml'), runbook(url));
  const inventory = (await loadInventory(join(dir, 'inventory.yml'))).inventory!;
  const { runbooks, errors } = await loadRunbooks(join(folder, '..'), { inventory });
  expect(errors).toEqual([]);
  const runner = runnerFromInventory(inventory);
  try {
    return (await verifyRunbooks(runbooks, inventory, runner)).problems;
  } finally {
    await runner.close();
  }
}

describe.skipIf(!ready)('opsroom verify', () => {
  it('finds nothing wrong while everything is there, and restarts nothing', async () => {
    const before = (await engine.redis.inspect()).State.StartedAt;
    expect(await verify(`${base}/health`)).toEqual([]);
    expect((await engine.redis.inspect()).State.StartedAt).toBe(before);
  });

  it('reports a renamed container and an endpoint that went away, each at its step line', async () => {
    await engine.redis.rename({ name: 'blatam-redis-renamed' });
    try {
      const problems = await verify(`${base}/gone`);
      expect(problems.map((p) => [p.step, p.line])).toEqual([['by-name', 8], ['health', 12]]);
      expect(problems[0].message).toMatch(/blatam-redis-1/);
      expect(problems[1].message).toMatch(/404/);
    } finally {
      await engine.redis.rename({ name: 'blatam-redis-1' });
    }
  });

  it('the command: JSON with exit 1 while something is missing, text and exit 0 once it fits; --system filters', async () => {
    const folder = join(dir, 'cli', 'runbooks', 'ops');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'check.yml'), runbook(`${base}/gone`));
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
    try {
      const args = ['--runbooks', join(dir, 'cli', 'runbooks'), '--inventory', join(dir, 'inventory.yml'), '--config', join(dir, 'none.yml')];
      const database = `sqlite:${join(dir, 'cli', 'o.db')}`;
      expect(await main([...args, '--format', 'json', '--database', database])).toBe(1);
      const report = JSON.parse(out.join(''));
      expect(report).toMatchObject({ ok: false, runbooks: 1, problems: [{ runbook: 'ops/check', step: 'health', line: 12 }] });
      // With a database, the result is recorded as the runbook's freshness.
      const db = await openDatabase(database);
      try {
        const [row] = await new KyselyHealthStore(db).all();
        expect(row).toMatchObject({ runbookId: 'ops/check', lastVerifiedAt: null, reason: 'step health: http answered 404: the endpoint is not there' });
        expect(row.brokenSince).toBeInstanceOf(Date);
      } finally {
        await db.close();
      }
      out.length = 0;
      expect(await main([...args, '--system', 'minimarket'])).toBe(0);
      expect(out.join('')).toBe('0 runbooks fit\n');
      writeFileSync(join(folder, 'check.yml'), runbook(`${base}/health`));
      out.length = 0;
      expect(await main(args)).toBe(0);
      expect(out.join('')).toBe('1 runbooks fit\n');
    } finally {
      spy.mockRestore();
    }
  });
});
