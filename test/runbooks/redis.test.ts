/**
 * Every redis-cli command of the shipped runbooks against a real Redis 7 (redis-server), each on
 * a fresh instance holding a few keys (so writes lose nothing that matters). A step whose command
 * is redis-cli itself, or a shell script of redis-cli and text tools, runs whole with `redis-cli`
 * pointed at the test server; a call inside `kubectl exec`/`docker exec` runs as extracted, through
 * its `| grep` when it has one. redis-cli exits 0 on an error reply, so the reply is checked too.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote, shellScriptIndex } from '#core/runbooks/templates.js';
import { redisBinaries, startRedis, type TestRedis } from '../support/peers/redis.js';
import { expectationProblem, queriesOf, shippedQueries, stepsNaming, type ShippedQueries } from './shipped-queries.js';

const bin = redisBinaries();
const shipped = shippedQueries();
type Call = ShippedQueries['redis'][number];
const ERROR_REPLY = /^(\(error\) )?(ERR|WRONGTYPE|NOAUTH|NOPERM|NOSCRIPT|BUSY|LOADING|READONLY|MISCONF|EXECABORT)\b/m;

let wrappers: string;

/** Keys like the teams': sessions and model cache in db 0, Django's cache in db 1; hits and misses. */
function seed(r: TestRedis, hits = 9, misses = 1) {
  r.cli('SET', 'session:user123', '{"user":123}', 'EX', '3600');
  r.cli('SET', 'cache:model:gpt-4', '{"status":"active"}', 'EX', '600');
  r.cli('LPUSH', 'celery', 'task-1');
  r.cli('-n', '1', 'SET', ':1:product:42', 'cached', 'EX', '300');
  for (let i = 0; i < hits; i++) r.cli('GET', 'session:user123');
  for (let i = 0; i < misses; i++) r.cli('GET', `missing:${i}`);
}

/** The step's own command: an argv list, or a shell script. */
function commandOf(raw: Call['raw']): { argv?: string[]; script?: string } {
  const s = raw as { docker?: { exec?: unknown }; kubernetes?: { command?: unknown }; ssh?: { command?: unknown }; manual?: { command?: unknown } };
  const list = Array.isArray(s.docker?.exec) ? s.docker.exec : Array.isArray(s.kubernetes?.command) ? s.kubernetes.command : undefined;
  if (list) {
    const argv = list.map(String);
    const script = shellScriptIndex(argv);
    return script >= 0 ? { script: argv[script] } : { argv };
  }
  const text = typeof s.docker?.exec === 'string' ? s.docker.exec : s.ssh?.command ?? (s.manual as { command?: unknown })?.command;
  return { script: String(text) };
}

/** Runs the call against `r`; the output (stdout and stderr) and exit status. */
function run(call: Call, r: TestRedis): { status: number | null; output: string; whole: boolean } {
  const env = { ...process.env, PATH: `${wrappers}:${process.env.PATH}`, OPSROOM_TEST_REDIS_PORT: String(r.port) };
  const opts = { encoding: 'utf8' as const, env, timeout: 30_000 };
  const { argv, script } = commandOf(call.raw);
  const out = (x: { status: number | null; stdout: string; stderr: string }, whole: boolean) => ({ status: x.status, output: `${x.stdout}${x.stderr}`, whole });
  if (call.options.some((o) => o.startsWith('--latency'))) {
    // Runs in a terminal until interrupted (manual step): a few seconds of samples, on a pty.
    const line = ['redis-cli', ...call.options, ...call.command].map(shellQuote).join(' ');
    const x = spawnSync('script', ['-qc', line, '/dev/null'], { ...opts, timeout: 2_500, killSignal: 'SIGINT' });
    return { status: /min: \d+/.test(x.stdout) ? 0 : 1, output: x.stdout + x.stderr, whole: false };
  }
  if (argv && argv[0] === 'redis-cli') return out(spawnSync('redis-cli', argv.slice(1), opts), true);
  if (script !== undefined && !/\b(kubectl|docker)\b/.test(script)) return out(spawnSync('sh', ['-c', script], opts), true);
  const x = spawnSync('redis-cli', [...call.options, ...call.command], opts);
  if (!call.grep) return out(x, false);
  return out(spawnSync('grep', call.grep, { ...opts, input: x.stdout }), false);
}

/** What is wrong with a call on a fresh seeded instance; undefined when it ran cleanly. */
async function problemOf(call: Call): Promise<string | undefined> {
  const r = await startRedis();
  try {
    seed(r);
    const x = run(call, r);
    const where = `${call.at} step ${call.stepId}`;
    if (ERROR_REPLY.test(x.output)) return `${where}: Redis answered an error (redis-cli still exits 0): ${x.output.trim()}`;
    if (x.status !== 0) return `${where}: exited ${x.status}${call.grep ? ` (grep ${call.grep.join(' ')} found nothing)` : ''}: ${x.output.trim()}`;
    return x.whole ? expectationProblem(call, x.output, true) : undefined;
  } finally {
    await r.stop();
  }
}

const byId = (id: string) => shipped.redis.find((q) => `${q.runbook}#${q.stepId}` === id)!;

describe('Redis commands of the shipped runbooks: found', () => {
  it('every step that names redis-cli yields its command', () => {
    expect(shipped.errors).toEqual([]);
    const found = new Set(shipped.redis.map((q) => `${q.runbook}#${q.stepId}`));
    expect(stepsNaming('redis-cli').filter((s) => !found.has(s))).toEqual([]);
    expect(new Set(shipped.redis.map((q) => q.runbook.split('/')[0]))).toEqual(new Set(['ai-multimodel', 'bff', 'blatam', 'denis', 'minimarket']));
  });
});

describe.skipIf(!bin)('Redis commands of the shipped runbooks on Redis 7', () => {
  beforeAll(() => {
    wrappers = mkdtempSync(join(tmpdir(), 'opsroom-redis-cli-'));
    writeFileSync(join(wrappers, 'redis-cli'), `#!/bin/sh\nexec ${bin}/redis-cli -p "$OPSROOM_TEST_REDIS_PORT" "$@"\n`, { mode: 0o755 });
  });
  afterAll(() => rmSync(wrappers, { recursive: true, force: true }));

  it('runs Redis 7', async () => {
    const r = await startRedis();
    try {
      expect(r.cli('INFO', 'server').stdout).toMatch(/^redis_version:7\./m);
    } finally {
      await r.stop();
    }
  });

  for (const call of shipped.redis)
    it(`${call.at} ${call.stepId}: ${[...call.options, ...call.command].join(' ')}`, async () => {
      expect(await problemOf(call)).toBeUndefined();
    }, 30_000);

  it('a command Redis refuses fails the check, naming its file:line', async () => {
    const text = ['title: Roto', 'steps:', '  - id: policy', '    title: P', '    danger: true', '    kubernetes: { exec: deployment/redis, command: [redis-cli, CONFIG, SET, maxmemory-polcy, allkeys-lru] }'].join('\n');
    const [call] = queriesOf('runbooks/x/broken.yml', text, 'x/broken').redis;
    expect(await problemOf(call)).toMatch(/^runbooks\/x\/broken\.yml:6 step policy: Redis answered an error .*maxmemory-polcy/);
  });

  it('a grep for an INFO field that does not exist fails the check', async () => {
    const text = ['title: T', 'steps:', '  - id: hits', '    title: H', '    read_only: true', '    ssh: { command: "kubectl exec deploy/redis -- redis-cli INFO stats | grep keyspace_hit_ratio" }'].join('\n');
    const [call] = queriesOf('runbooks/x/grep.yml', text, 'x/grep').redis;
    expect(await problemOf(call)).toMatch(/^runbooks\/x\/grep\.yml:6 step hits: exited 1 \(grep keyspace_hit_ratio found nothing\)/);
  });

  it('the seeds\u2019 DEBUG RELOAD is refused by Redis 7', async () => {
    const r = await startRedis();
    try {
      expect(r.cli('DEBUG', 'RELOAD').stdout).toMatch(/^ERR DEBUG command not allowed/);
    } finally {
      await r.stop();
    }
  });

  it('disaster recovery: the copied dump.rdb is what Redis serves after the reload step', async () => {
    const production = await startRedis();
    const backup = join(mkdtempSync(join(tmpdir(), 'opsroom-backup-')), 'redis-dump.rdb');
    let recovery: TestRedis | undefined;
    try {
      production.cli('SET', 'session:user123', 'from-backup');
      production.cli('SAVE');
      copyFileSync(join(production.dir, 'dump.rdb'), backup);
      // The recovery instance saves on shutdown by default, as redis.conf does.
      recovery = await startRedis({ config: ['--save', '3600 1'] });
      recovery.cli('SET', 'session:user123', 'empty-recovery-instance');
      copyFileSync(backup, join(recovery.dir, 'dump.rdb'));
      const step = byId('ai-multimodel/disaster-recovery#reload-redis');
      expect(step.command).toEqual(['SHUTDOWN', 'NOSAVE']);
      const dir = recovery.dir;
      recovery.cli(...step.options, ...step.command);
      await recovery.exited();
      // Kubernetes starts the container again on the same volume.
      recovery = await startRedis({ dir });
      expect(recovery.cli('GET', 'session:user123').stdout.trim()).toBe('from-backup');
    } finally {
      await production.stop();
      const dir = recovery?.dir;
      await recovery?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      rmSync(join(backup, '..'), { recursive: true, force: true });
    }
  });

  it('bff FLUSHDB empties Django\u2019s cache (db 1) and keeps the Celery broker (db 0)', async () => {
    const r = await startRedis();
    try {
      seed(r);
      const x = run(byId('bff/incident-response#flushdb'), r);
      expect(x.output.trim()).toBe('OK');
      expect(r.cli('-n', '1', 'DBSIZE').stdout.trim()).toBe('0');
      expect(r.cli('LLEN', 'celery').stdout.trim()).toBe('1');
    } finally {
      await r.stop();
    }
  });

  it.each([
    ['bff/api-slow#hit-rate', 80],
    ['minimarket/high-latency#hit-rate', 50],
  ])('%s fails under its floor (%s percent) and passes above it', async (id, floor) => {
    for (const [hits, misses, ok] of [[9, 1, true], [floor / 10 - 1, 11 - floor / 10, false], [0, 0, true]] as const) {
      const r = await startRedis();
      try {
        seed(r, hits, misses);
        const x = run(byId(id), r);
        expect(x.status === 0, `${hits} hits, ${misses} misses:\n${x.output}`).toBe(ok);
        if (hits + misses > 0) expect(x.output).toContain(`hit rate: ${Math.floor((100 * hits) / (hits + misses))} %`);
      } finally {
        await r.stop();
      }
    }
  });
});
