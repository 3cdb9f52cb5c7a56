/** Helpers for alert intake tests: a runbooks folder with alert-fed parameters, payloads, posting. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN = 'alerts-token-0123456789';

/** Two runbooks: one an alert names (its `instance` from the alert's labels), one the title matches better. */
export function writeRunbooks(dir: string): string {
  const root = join(dir, 'runbooks');
  mkdirSync(join(root, 'demo'), { recursive: true });
  writeFileSync(join(root, 'demo', 'target-down.yml'), [
    'title: Scrape target down',
    'match: { keywords: [scrape] }',
    'params:',
    '  instance: { type: string, pattern: "^[A-Za-z0-9.:-]+$", from: alert.labels.instance, description: host:port of the target }',
    'steps:',
    '  - id: probe',
    '    title: Probe the target',
    '    http: { url: "http://{{ instance }}/metrics", expect_status: 200 }',
    '    timeout: 5s',
    '',
  ].join('\n'));
  writeFileSync(join(root, 'demo', 'dashboard.yml'), [
    'title: Dashboard target is down',
    'match: { keywords: [dashboard, "target is down"], services: [dashboard] }',
    'steps:',
    '  - id: look',
    '    title: Look at the dashboard',
    '    manual: { instruction: Open the dashboard }',
    '',
  ].join('\n'));
  return root;
}

export function fixture(name: 'alertmanager-v4' | 'grafana'): any {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'alerts', `${name}.json`), 'utf8'));
}

export async function post(url: string, path: string, body: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}
