/**
 * Real Prometheus and Alertmanager for tests (Debian `prometheus`, `prometheus-alertmanager`): the
 * binaries run with their config and storage under a `mktemp -d` folder, on free ports, never as the
 * packaged services.
 *
 *   if (prometheusAvailable()) { const am = await startAlertmanager({ webhookUrl, token }); … am.stop(); }
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sshd.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const PROMTOOL = '/usr/bin/promtool';

/** Whether both binaries are here; loud skip on a laptop, error under CI. */
export function prometheusAvailable(): boolean {
  if (existsSync(PROMETHEUS) && existsSync(ALERTMANAGER)) return true;
  const msg = 'prometheus or prometheus-alertmanager missing (apt-get install prometheus prometheus-alertmanager) — run scripts/install-peers.sh';
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING Prometheus tests: ${msg} ***\n`);
  return false;
}

export interface PeerProcess {
  url: string;
  port: number;
  dir: string;
  /** The last lines it logged (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function run(name: string, bin: string, args: (dir: string, port: number) => string[], files: (dir: string, port: number) => Record<string, string>, ready: string, prepare?: (dir: string) => void): Promise<PeerProcess> {
  const dir = mkdtempSync(join(tmpdir(), `opsroom-${name}-`));
  const port = await freePort();
  for (const [file, text] of Object.entries(files(dir, port))) writeFileSync(join(dir, file), text);
  prepare?.(dir);
  const child = spawn(bin, args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => { log = (log + d.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${url}${ready}`).then((r) => r.ok, () => false);
    if (ok) return { url, port, dir, log: () => log, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${name} did not start on ${url}:\n${log}`);
}

/** Prometheus scraping `targets` (job → host:port) every second, evaluating `rules` (YAML) every second. */
export function startPrometheus(o: { targets: Record<string, string[]>; rules: string; alertmanager: string }): Promise<PeerProcess> {
  const jobs = Object.entries(o.targets).map(([job, t]) => `  - job_name: ${job}\n    static_configs: [{ targets: ${JSON.stringify(t)} }]`).join('\n');
  return run('prometheus', PROMETHEUS, (dir, port) => [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s',
  ], () => ({
    'prometheus.yml': [
      'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 500ms }',
      'rule_files: [rules.yml]',
      `alerting: { alertmanagers: [{ static_configs: [{ targets: ["${o.alertmanager}"] }] }] }`,
      'scrape_configs:', jobs, '',
    ].join('\n'),
    'rules.yml': o.rules,
  }), '/-/ready');
}

/**
 * Prometheus that scrapes nothing, its storage backfilled from OpenMetrics text (`promtool tsdb
 * create-blocks-from openmetrics`): queries at chosen times see exactly those samples.
 */
export function startPrometheusWithData(openMetrics: string): Promise<PeerProcess> {
  return run('prometheus', PROMETHEUS, (dir, port) => [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=30d',
  ], () => ({ 'prometheus.yml': 'global: { scrape_interval: 1m }\nscrape_configs: []\n', 'data.om': openMetrics }), '/-/ready',
  (dir) => { execFileSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'data')], { stdio: 'pipe' }); });
}

/** Alertmanager (clustering off) sending every group to `webhookUrl` with a bearer token, after 1 s. */
export function startAlertmanager(o: { webhookUrl: string; token: string; groupBy?: string[] }): Promise<PeerProcess> {
  return run('alertmanager', ALERTMANAGER, (dir, port) => [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], () => ({
    'alertmanager.yml': [
      `route: { receiver: opsroom, group_by: ${JSON.stringify(o.groupBy ?? ['alertname', 'system'])}, group_wait: 1s, group_interval: 1s, repeat_interval: 1h }`,
      'receivers:',
      '  - name: opsroom',
      '    webhook_configs:',
      `      - url: ${JSON.stringify(o.webhookUrl)}`,
      '        send_resolved: true',
      `        http_config: { authorization: { credentials: ${JSON.stringify(o.token)} } }`,
      '',
    ].join('\n'),
  }), '/-/ready');
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
