/**
 * The blatam and minimarket checks that run on the host over SSH, against a real sshd on this
 * machine: each passes on a healthy host and fails once the thing it checks is broken (a full
 * disk, no recent backup, a certificate expiring within 30 days, a missing or malformed key), and
 * none prints a secret. The example inventory is used with its hosts pointed at the sshd.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:https';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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
import { type SshdPeer, sshdAvailable, startSshd } from '../support/peers/sshd.js';
import { CONFIG, INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const ready = sshdAvailable();
const KEY = '3f'.repeat(32);

describe.skipIf(!ready)('blatam and minimarket host checks over SSH', () => {
  let sshd: SshdPeer;
  let dir: string;
  let inventory: Inventory;
  let runner: CompositeStepRunner;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-host-checks-'));
    const inv = parse(readFileSync(INVENTORY, 'utf8'));
    const host = { address: sshd.host, port: sshd.port, user: sshd.user, key_path: sshd.keyPath, host_key: sshd.hostKeyLine.split(' ').slice(1).join(' ') };
    inv.systems.blatam.hosts['blatam-host'] = { ...inv.systems.blatam.hosts['blatam-host'], ...host };
    inv.systems.minimarket.hosts['minimarket-host'] = { ...inv.systems.minimarket.hosts['minimarket-host'], ...host };
    writeFileSync(join(dir, 'inventory.yml'), stringify(inv));
    const loaded = await loadInventory(join(dir, 'inventory.yml'));
    expect(loaded.errors).toEqual([]);
    inventory = loaded.inventory!;
    runner = runnerFromInventory(inventory);
  }, 60_000);
  afterAll(async () => {
    await runner?.close();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one step of a shipped runbook as the run engine does; its state and output. */
  async function run(id: string, stepId: string, params: Record<string, string>) {
    const config = loadFileConfig(CONFIG);
    const { runbooks, errors } = await loadRunbooks(`${RUNBOOKS}/${id}.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    expect(errors).toEqual([]);
    const step = renderRunbook(runbooks[0], params, {}, inventory).steps.find((s) => s.id === stepId)!;
    expect(step.command.kind, `${id}#${stepId}`).toBe('ssh');
    const outcome = await runner.run(step.command, { timeoutMs: 30_000, signal: new AbortController().signal, onOutput: () => {} });
    return { state: judge(step, outcome).state, output: outcome.output };
  }

  it('disk checks: the evening routine fails under 10 % free, the pre-deployment checklist under 20 %', async (ctx) => {
    const mnt = join(dir, 'disk');
    mkdirSync(mnt);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]).status !== 0) {
      if (process.env.CI === 'true') throw new Error('mount -t tmpfs failed: the disk check needs root');
      console.warn('\n*** SKIPPING the disk threshold check: mount -t tmpfs needs root ***\n');
      return ctx.skip();
    }
    const states = async () => [
      (await run('blatam/evening-routine', 'disk', { disk_path: mnt })).state,
      (await run('minimarket/pre-deployment', 'disk', { disk_path: mnt })).state,
    ];
    const fill = (blocks: number) => spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k', `count=${blocks}`]);
    try {
      expect(await states()).toEqual(['succeeded', 'succeeded']);
      fill(870); // 85 % used
      expect(await states()).toEqual(['succeeded', 'failed']);
      fill(970); // 95 % used
      expect(await states()).toEqual(['failed', 'failed']);
      const full = await run('blatam/evening-routine', 'disk', { disk_path: mnt });
      expect(full.output).toContain('Espacio libre bajo el 10 %');
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('evening routine: the backup check fails without a backup of the last 24 hours', async () => {
    const backups = join(dir, 'backup');
    mkdirSync(backups);
    const check = () => run('blatam/evening-routine', 'list-backups', { backup_dir: backups });
    expect((await check()).state).toBe('failed');
    const old = join(backups, 'blatam_20231015.tar.gz');
    writeFileSync(old, 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    const stale = await check();
    expect(stale.state).toBe('failed');
    expect(stale.output).toContain('No hay backups de las últimas 24 horas');
    writeFileSync(join(backups, 'blatam_20231016.tar.gz'), 'x');
    expect((await check()).state).toBe('succeeded');
    expect((await run('blatam/evening-routine', 'list-backups', { backup_dir: join(dir, 'missing') })).state).toBe('failed');
  });

  it('system down: .env shows variable names, never values, and fails when it is missing', async () => {
    const app = join(dir, 'blatam');
    mkdirSync(app);
    expect((await run('blatam/system-down', 'env', { app_dir: app })).state).toBe('failed');
    writeFileSync(join(app, '.env'), `# config\nPOSTGRES_PASSWORD=hunter2-pg\nexport REDIS_URL=redis://:s3cret@redis:6379\nKV_MAX_TOKENS=8192\n`);
    const r = await run('blatam/system-down', 'env', { app_dir: app });
    expect(r.state).toBe('succeeded');
    expect(r.output).toContain('POSTGRES_PASSWORD=');
    expect(r.output).toContain('KV_MAX_TOKENS=');
    for (const secret of ['hunter2', 's3cret', '8192']) expect(r.output).not.toContain(secret);
  });

  describe('TLS certificates (minimarket)', () => {
    const tls = () => join(dir, 'mm', 'observability', 'prometheus', 'tls');
    const certs = (days: Record<string, number>) => {
      mkdirSync(tls(), { recursive: true });
      for (const [name, d] of Object.entries(days)) {
        const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
          '-days', String(d), '-keyout', join(tls(), `${name}.key`), '-out', join(tls(), `${name}.crt`)]);
        expect(r.status, String(r.stderr)).toBe(0);
      }
    };
    const params = () => ({ compose_dir: join(dir, 'mm') });

    const CHECKS = [['minimarket/tls-certificates-expired', 'expires-in'], ['minimarket/tls-certificates-expired', 'verify'], ['minimarket/pre-deployment', 'tls']];

    it('the expiry checks fail when a certificate expires within 30 days', async () => {
      certs({ ca: 365, prometheus: 365, alertmanager: 365 });
      for (const [id, step] of CHECKS) {
        const r = await run(id, step, params());
        expect(r.state, r.output).toBe('succeeded');
        expect(r.output).toContain('prometheus.crt: notAfter=');
      }
      certs({ alertmanager: 10 });
      for (const [id, step] of CHECKS) {
        const r = await run(id, step, params());
        expect(r.state, `${id}#${step}`).toBe('failed');
        expect(r.output).toContain('alertmanager.crt expira en menos de 30 días');
      }
      rmSync(join(tls(), 'ca.crt'));
      for (const [id, step] of CHECKS) expect((await run(id, step, params())).state, `${id}#${step}`).toBe('failed');
    });

    it('the certificate backup works twice on the same day, each into its own folder', async () => {
      certs({ ca: 365, prometheus: 365, alertmanager: 365 });
      const before = spawnSync('sh', ['-c', `ls -d ${tls()}/backup_* 2>/dev/null | wc -l`]).stdout.toString().trim();
      expect((await run('minimarket/tls-certificates-expired', 'backup', params())).state).toBe('succeeded');
      await new Promise((r) => setTimeout(r, 1100));
      expect((await run('minimarket/tls-certificates-expired', 'backup', params())).state).toBe('succeeded');
      const folders = spawnSync('sh', ['-c', `ls -d ${tls()}/backup_*`]).stdout.toString().trim().split('\n');
      expect(folders.length).toBe(Number(before) + 2);
      const files = spawnSync('ls', [folders.at(-1)!]).stdout.toString();
      for (const f of ['ca.crt', 'prometheus.crt', 'prometheus.key', 'alertmanager.crt']) expect(files).toContain(f);
    });
  });

  it('TLS connectivity: fails on a certificate for another name and on an HTTP error from Alertmanager', async (ctx) => {
    const tls = join(dir, 'mm-tls', 'observability', 'prometheus', 'tls');
    mkdirSync(tls, { recursive: true });
    const ssl = (...args: string[]) => expect(spawnSync('openssl', args, { cwd: tls }).status, args.join(' ')).toBe(0);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    ssl('req', '-x509', ...ec, '-subj', '/CN=ca', '-days', '30', '-keyout', 'ca.key', '-out', 'ca.crt');
    const signed = (name: string, dns: string) => {
      writeFileSync(join(tls, `${name}.ext`), `subjectAltName=DNS:${dns}\n`);
      ssl('req', ...ec, '-subj', `/CN=${dns}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
    };
    signed('prometheus', 'prometheus');
    signed('alertmanager', 'alertmanager');
    signed('other', 'grafana');
    let status = 200;
    const serve = (name: string) => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const file = (ext: string) => readFileSync(join(tls, `${name}.${ext}`));
      const srv = createServer({ key: file('key'), cert: file('crt'), ca: readFileSync(join(tls, 'ca.crt')), requestCert: true, rejectUnauthorized: true },
        (req, res) => res.writeHead(req.url === '/api/v2/status' ? status : 404).end('{"cluster":{"status":"ready"}}'));
      srv.once('error', reject);
      srv.listen(9093, '127.0.0.1', () => resolve(srv));
    });
    const check = async () => (await run('minimarket/tls-certificates-expired', 'tls-check', { compose_dir: join(dir, 'mm-tls') })).state;
    let srv: ReturnType<typeof createServer>;
    try {
      srv = await serve('alertmanager');
    } catch {
      console.warn('\n*** SKIPPING the TLS connectivity check: 127.0.0.1:9093 is in use ***\n');
      return ctx.skip();
    }
    try {
      expect(await check()).toBe('succeeded');
      status = 500;
      expect(await check()).toBe('failed');
    } finally {
      await new Promise((r) => srv.close(r));
    }
    status = 200;
    srv = await serve('other');
    try {
      const r = await run('minimarket/tls-certificates-expired', 'tls-check', { compose_dir: join(dir, 'mm-tls') });
      expect(r.state).toBe('failed');
      expect(r.output).toMatch(/alertmanager/);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('encryption key: the checks fail on a missing or malformed key and never print it', async () => {
    const app = join(dir, 'mm-env');
    mkdirSync(app);
    const check = async (env: string | undefined) => {
      rmSync(join(app, '.env.production'), { force: true });
      if (env !== undefined) writeFileSync(join(app, '.env.production'), env);
      const p = { compose_dir: app, encryption_key: KEY };
      const [set, length] = [await run('minimarket/encrypted-data-inaccessible', 'key-set', p), await run('minimarket/encrypted-data-inaccessible', 'key-length', p)];
      for (const r of [set, length]) for (const s of [KEY, 'zz'.repeat(32), 'short-key']) expect(r.output).not.toContain(s);
      return [set.state, length.state];
    };
    expect(await check(`POSTGRES_DB=inventario_retail\nDATABASE_ENCRYPTION_KEY=${KEY}\n`)).toEqual(['succeeded', 'succeeded']);
    expect(await check(`DATABASE_ENCRYPTION_KEY=${'zz'.repeat(32)}\n`)).toEqual(['succeeded', 'failed']);
    expect(await check('DATABASE_ENCRYPTION_KEY=short-key\n')).toEqual(['succeeded', 'failed']);
    expect(await check('DATABASE_ENCRYPTION_KEY=\n')).toEqual(['failed', 'failed']);
    expect(await check(undefined)).toEqual(['failed', 'failed']);
  });

  it('pre-deployment: the database backup check wants a non-empty dump of the last 24 hours', async () => {
    const app = join(dir, 'mm-backups');
    mkdirSync(join(app, 'backups'), { recursive: true });
    const check = async () => (await run('minimarket/pre-deployment', 'backup', { compose_dir: app })).state;
    expect(await check()).toBe('failed');
    writeFileSync(join(app, 'backups', 'inventario_retail_20231016_120000.sql'), '');
    expect(await check()).toBe('failed');
    const old = join(app, 'backups', 'inventario_retail_20231014_120000.sql');
    writeFileSync(old, '-- PostgreSQL database dump\n');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    expect(await check()).toBe('failed');
    writeFileSync(join(app, 'backups', 'inventario_retail_20231016_130000.sql'), '-- PostgreSQL database dump\n');
    expect(await check()).toBe('succeeded');
  });

  it('pre-deployment: the environment check lists names only and fails without a valid key', async () => {
    const app = join(dir, 'mm-predeploy-env');
    mkdirSync(app);
    const check = async (env: string) => {
      writeFileSync(join(app, '.env.production'), env);
      return run('minimarket/pre-deployment', 'env', { compose_dir: app });
    };
    const ok = await check(`POSTGRES_PASSWORD=hunter2-pg\nDATABASE_ENCRYPTION_KEY=${KEY}\n`);
    expect(ok.state).toBe('succeeded');
    expect(ok.output).toContain('POSTGRES_PASSWORD=');
    for (const secret of ['hunter2', KEY]) expect(ok.output).not.toContain(secret);
    expect((await check('POSTGRES_PASSWORD=hunter2-pg\n')).state).toBe('failed');
    expect((await check(`DATABASE_ENCRYPTION_KEY=${KEY.slice(2)}\n`)).state).toBe('failed');
  });

  it('daily and weekly maintenance: recent backups are checked; only backups older than keep_days are deleted', async () => {
    const backups = join(dir, 'blatam-backups');
    mkdirSync(backups);
    const old = join(backups, 'blatam_20231001.tar.gz');
    writeFileSync(old, 'x');
    const twentyDaysAgo = new Date(Date.now() - 20 * 86_400_000);
    utimesSync(old, twentyDaysAgo, twentyDaysAgo);
    expect((await run('blatam/daily-maintenance', 'backups', { backup_dir: backups })).state).toBe('failed');
    writeFileSync(join(backups, 'blatam_20231020.tar.gz'), 'x');
    expect((await run('blatam/daily-maintenance', 'backups', { backup_dir: backups })).state).toBe('succeeded');
    const listed = await run('blatam/weekly-maintenance', 'old-backups', { backup_dir: backups, keep_days: '14' });
    expect(listed.output).toContain('blatam_20231001.tar.gz');
    expect(listed.output).not.toContain('blatam_20231020.tar.gz');
    expect((await run('blatam/weekly-maintenance', 'clean-backups', { backup_dir: backups, keep_days: '14' })).state).toBe('succeeded');
    expect(spawnSync('ls', [backups]).stdout.toString().trim()).toBe('blatam_20231020.tar.gz');
  });
});
