/**
 * denis/telemetry-inconsistent#prometheus-target against a real Prometheus (Debian `prometheus`):
 * the step's shell, as it runs inside the denis pod, with `prometheus:9090` pointed at the test's
 * Prometheus. It passes while the denis scrape target is up and fails once it is down, where the
 * seed's `curl …/targets | grep denis` passed either way.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import { type PeerProcess, prometheusAvailable, startPrometheus } from '../support/peers/prometheus.js';
import { CONFIG, INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const ready = prometheusAvailable() && spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!ready)('denis Prometheus target check against a real Prometheus', () => {
  let prometheus: PeerProcess;
  let denis: Server;
  let step: ResolvedStep;
  let script: string;

  beforeAll(async () => {
    denis = createServer((_req, res) => res.end('# TYPE denis_up gauge\ndenis_up 1\n'));
    await new Promise<void>((r) => denis.listen(0, '127.0.0.1', () => r()));
    const port = (denis.address() as AddressInfo).port;
    prometheus = await startPrometheus({ targets: { denis: [`127.0.0.1:${port}`], other: ['127.0.0.1:9'] }, rules: 'groups: []\n', alertmanager: '127.0.0.1:9' });
    const config = loadFileConfig(CONFIG);
    const inventory = (await loadInventory(INVENTORY)).inventory!;
    const { runbooks, errors } = await loadRunbooks(`${RUNBOOKS}/denis/telemetry-inconsistent.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
    expect(errors).toEqual([]);
    step = renderRunbook(runbooks[0], { neo4j_password: 'x' }, {}, inventory).steps.find((s) => s.id === 'prometheus-target')!;
    if (step.command.kind !== 'kubernetes') throw new Error('prometheus-target is not a kubernetes step');
    const argv = step.command.argv;
    script = argv[argv.indexOf('-c') + 1].replaceAll('http://prometheus:9090', prometheus.url);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    denis?.close();
  });

  const check = () => {
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    const output = r.stdout + r.stderr;
    return { state: judge(step, { exitCode: r.status, output, timedOut: false }).state, output };
  };
  const health = async (want: string) => {
    for (let i = 0; i < 100; i++) {
      const body = await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).text();
      if (body.includes(`"scrapePool":"denis"`) && new RegExp(`"scrapePool":"denis"[^}]*"health":"${want}"`).test(body)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the denis target never became ${want}`);
  };

  it('passes while the denis target is up (another job being down does not matter)', async () => {
    await health('up');
    const r = check();
    expect(r.state, r.output).toBe('succeeded');
    expect(r.output).toContain('"health":"up"');
    expect(r.output).not.toContain('127.0.0.1:9/');
  });

  it('fails once the denis target is down; the seed\'s grep still passes', async () => {
    await new Promise<void>((r) => denis.close(() => r()));
    denis.closeAllConnections();
    await health('down');
    const r = check();
    expect(r.state).toBe('failed');
    expect(r.output).toContain('"health":"down"');
    const seed = spawnSync('sh', ['-c', `curl -s '${prometheus.url}/api/v1/targets' | grep denis`], { encoding: 'utf8' });
    expect(seed.status).toBe(0);
  });

  it('fails when Prometheus does not answer', async () => {
    await prometheus.stop();
    expect(check().state).toBe('failed');
  });
});
