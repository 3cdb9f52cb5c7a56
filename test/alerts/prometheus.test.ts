/**
 * End to end with the real peers: Prometheus scrapes a real target, a rule fires when it goes down,
 * Alertmanager sends the webhook with its bearer token, and the incident opens in the system's
 * channel with the runbook the alert names suggested first; the target coming back resolves it.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusAvailable, startAlertmanager, startPrometheus, type PeerProcess } from '../support/peers/prometheus.js';
import { freePort } from '../support/peers/sshd.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { TOKEN, writeRunbooks } from './support/alerts.js';

const CHANNEL = 'C0MINIMARKET';
const RULES = `groups:
  - name: opsroom
    rules:
      - alert: TargetDown
        expr: up{job="dashboard"} == 0
        labels: { system: minimarket, severity: critical }
        annotations: { summary: "Dashboard target is down", runbook: demo/target-down }
`;

/** A real scrape target: /metrics in Prometheus' text format, on a port it can give up and take back. */
function target(port: number) {
  let server: Server | undefined;
  return {
    up: () => new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('# TYPE demo_requests_total counter\ndemo_requests_total 7\n');
        else res.writeHead(404).end();
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    }),
    down: () => new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = undefined;
    }),
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!prometheusAvailable())('Prometheus and Alertmanager to opsroom', () => {
  let dir: string;
  let o: LocalOpsroom;
  let am: PeerProcess | undefined;
  let prom: PeerProcess | undefined;
  let t: ReturnType<typeof target>;
  let targetPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-prom-'));
    writeRunbooks(dir);
    o = await startLocal({
      dir, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_ALERTS_TOKEN: TOKEN },
      file: { systems: { minimarket: { channel: CHANNEL, severities: { Crítica: 'P1' } } } } as never,
    });
    targetPort = await freePort();
    t = target(targetPort);
    await t.up();
    am = await startAlertmanager({ webhookUrl: `${o.ops.url}/alerts/alertmanager`, token: TOKEN });
    prom = await startPrometheus({ targets: { dashboard: [`127.0.0.1:${targetPort}`] }, rules: RULES, alertmanager: `127.0.0.1:${am.port}` });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await t?.down();
    await o?.close({ keepDir: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the incident when the target goes down and resolves it when it comes back', async () => {
    // Up first: Prometheus has scraped it and nothing fires.
    await until('a first successful scrape', async () => {
      const r = await (await fetch(`${prom!.url}/api/v1/query?query=up`)).json() as any;
      return r.data?.result?.[0]?.value?.[1] === '1';
    });
    expect(await o.ops.store.listOpen()).toEqual([]);

    await t.down();
    const incident = await until('the alert incident', async () => (await o.ops.store.listOpen())[0]);
    expect(incident).toMatchObject({ title: 'Dashboard target is down', severity: 'P1', system: 'minimarket', channel: CHANNEL, service: 'dashboard', openedBy: 'alertmanager' });
    const thread = async () => {
      await o.settle();
      const i = (await o.ops.store.get(incident.id))!;
      return i.cardTs ? o.messages(CHANNEL, i.cardTs) : [];
    };
    const suggestion = await until('the runbook suggestion', async () => (await thread()).find((m) => /Runbooks that match/.test(visibleText(m))));
    expect(JSON.stringify(suggestion.blocks).match(/demo\/[a-z-]+/g)![0]).toBe('demo/target-down');
    expect(o.messages(CHANNEL).map(visibleText).join('\n')).toMatch(/Dashboard target is down/);
    const i = (await o.ops.store.get(incident.id))!;
    const run = await o.ops.runs.remediation.start(i, 'demo/target-down', {}, 'U0ALICE');
    expect(run.params).toEqual({ instance: `127.0.0.1:${targetPort}` });

    await t.up();
    const resolvedLine = await until('the resolved line', async () => (await thread()).map(visibleText).find((l) => /Alertmanager: alert resolved at \d\d:\d\d:\d\d UTC/.test(l)));
    expect(resolvedLine).toMatch(/monitoring/);
    expect((await o.ops.store.get(incident.id))!.status).toBe('monitoring');
    const alerts = (await o.ops.store.events(incident.id)).filter((e) => e.kind === 'alert');
    expect(alerts.map((e) => (e.data as any).status)).toEqual(expect.arrayContaining(['firing', 'resolved']));
    expect((alerts[0].data as any).alerts[0].labels).toMatchObject({ alertname: 'TargetDown', instance: `127.0.0.1:${targetPort}`, job: 'dashboard' });
    expect(await o.ops.store.listOpen()).toHaveLength(1);
  }, 120_000);
});
