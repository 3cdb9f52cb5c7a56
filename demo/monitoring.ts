/**
 * Configuration of the demo's real Prometheus and Alertmanager: each system's Prometheus scrapes
 * that system's web services, itself and its Alertmanager every 2 s, and fires `DemoServiceDown`
 * when a target stops answering; Alertmanager keeps the alerts (no receiver sends anything).
 */
import type { Endpoint, ServiceSpec } from './services.js';

const SCRAPE_SECONDS = 2;

/** The targets a system's Prometheus scrapes: every service that answers HTTP, with its /metrics. */
export function scrapeTargets(endpoints: readonly Endpoint[], project: string, specOf: (e: Endpoint) => ServiceSpec): Endpoint[] {
  return endpoints.filter((e) => e.project === project && specOf(e).healthPath !== undefined);
}

export function prometheusConfig(targets: readonly Endpoint[], alertmanager: Endpoint | undefined): string {
  const jobs = targets.map((t) => [
    `  - job_name: ${JSON.stringify(t.service)}`,
    `    static_configs: [{ targets: [${JSON.stringify(`${t.address}:${t.port}`)}], labels: { system: ${JSON.stringify(t.project)} } }]`,
  ].join('\n'));
  return [
    `global: { scrape_interval: ${SCRAPE_SECONDS}s, evaluation_interval: ${SCRAPE_SECONDS}s, scrape_timeout: 1s }`,
    'rule_files: [/etc/demo/rules.yml]',
    ...(alertmanager ? [`alerting: { alertmanagers: [{ static_configs: [{ targets: [${JSON.stringify(`${alertmanager.address}:${alertmanager.port}`)}] }] }] }`] : []),
    'scrape_configs:',
    ...jobs,
  ].join('\n');
}

export function prometheusRules(project: string): string {
  return [
    'groups:',
    '  - name: demo',
    '    rules:',
    '      - alert: DemoServiceDown',
    '        expr: up == 0',
    '        for: 10s',
    `        labels: { severity: critical, system: ${JSON.stringify(project)} }`,
    '        annotations: { summary: "{{ $labels.job }} no responde" }',
  ].join('\n');
}

export function alertmanagerConfig(): string {
  return [
    'route: { receiver: keep, group_by: [alertname, system], group_wait: 1s, group_interval: 5s, repeat_interval: 1h }',
    'receivers:',
    '  - name: keep',
  ].join('\n');
}
