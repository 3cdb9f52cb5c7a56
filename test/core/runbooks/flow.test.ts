import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderSteps } from '#core/runbooks/render.js';
import { RunbookSchema } from '#core/runbooks/schema.js';
import { lint, yaml } from './helpers.js';

describe('format: defaults, retry, when, expect per kind', () => {
  it('renders defaults.on_failure (a step\'s own wins), retry, when and the new expect forms', () => {
    const r = lint(yaml(
      'title: T',
      'defaults: { on_failure: continue }',
      'steps:',
      '  - { id: logs, title: L, docker: { container: c, logs: { grep: "error|fatal" } }, expect: { output_empty: true } }',
      '  - { id: restart, title: R, docker: { container: c, restart: true }, danger: true, on_failure: stop }',
      '  - { id: ping, title: P, ssh: { host: h, command: redis-cli ping }, read_only: true, retry: { attempts: 5, every: 2s }, expect: { output_not_matches: LOADING } }',
      '  - { id: health, title: H, http: { url: "http://x/health" }, expect: { status: [200, 204], body_contains: ok } }',
      '  - { id: option2, title: O, ssh: { host: h, command: "rm -rf /var/lib/x" }, danger: true, when: { failed: [ping, health] } }',
    ));
    expect(r.errors).toEqual([]);
    const [logs, restart, ping, health, option2] = renderSteps(r.runbook!, {});
    expect(logs).toMatchObject({ onFailure: { action: 'continue' }, expect: { outputEmpty: true }, command: { grep: 'error|fatal' } });
    expect(restart.onFailure).toEqual({ action: 'stop' });
    expect(ping).toMatchObject({ retry: { attempts: 5, everyMs: 2000 }, expect: { exitCode: 0, outputNotMatches: 'LOADING' } });
    expect(health.expect).toEqual({ httpStatus: [200, 204], bodyContains: 'ok' });
    expect(option2.when).toEqual({ failed: ['ping', 'health'] });
  });

  it('old forms still render: http.expect_status/expect_body, grep basic regex', () => {
    const r = lint(yaml(
      'title: T',
      'steps:',
      '  - { id: logs, title: L, docker: { container: c, logs: { grep: \'error\\|a(b)\' } } }',
      '  - { id: health, title: H, http: { url: "http://x/health", expect_status: 200, expect_body: ok } }',
    ));
    expect(r.errors).toEqual([]);
    const [logs, health] = renderSteps(r.runbook!, {});
    expect(logs.command).toMatchObject({ grep: 'error|a\\(b\\)' });
    expect(health.expect).toEqual({ httpStatus: [200], bodyContains: 'ok' });
    expect(logs.onFailure).toEqual({ action: 'stop' });
  });

  it('lint: when names an earlier step; no retry on dangerous or manual steps; status only on http', () => {
    const r = lint(yaml(
      'title: T',
      'steps:',
      '  - { id: a, title: A, ssh: { host: h, command: uptime }, when: { succeeded: b } }',
      '  - { id: b, title: B, ssh: { host: h, command: systemctl restart x }, danger: true, retry: { attempts: 3, every: 1s } }',
      '  - { id: c, title: C, manual: Mira, retry: { attempts: 2, every: 1s }, when: { failed: nope } }',
      '  - { id: d, title: D, ssh: { host: h, command: uptime }, expect: { status: 200 } }',
      '  - { id: e, title: E, http: { url: "http://x/", expect_status: 200 }, expect: { status: 200 } }',
      '  - { id: f, title: F, docker: { container: c, logs: { grep: "a(" } } }',
    ));
    expect(r.errors).toEqual([
      'demo.yml:3:78 when succeeded: "b" must be an earlier step',
      'demo.yml:4:93 step "b" is dangerous: it is not retried by itself; remove retry',
      'demo.yml:5:45 a manual step has no check to retry; remove retry',
      'demo.yml:5:89 when failed: "nope": no such step',
      'demo.yml:6:77 status only applies to http steps',
      'demo.yml:7:65 give the status once: keep expect.status, remove http.expect_status',
      'demo.yml:8:62 invalid regular expression: Invalid regular expression: /a(/: Unterminated group',
    ]);
  });

  it('retries only checks: a write not marked dangerous is refused by lint and never retried', () => {
    const text = yaml(
      'title: T',
      'steps:',
      '  - { id: flush, title: F, http: { method: POST, url: "http://x/cache/flush" }, danger: false, retry: { attempts: 20, every: 1s } }',
      '  - { id: exec, title: E, ssh: { host: h, command: "redis-cli set k v" }, retry: { attempts: 3, every: 1s } }',
      '  - { id: get, title: G, http: { url: "http://x/health" }, retry: { attempts: 3, every: 1s } }',
    );
    const r = lint(text);
    expect(r.errors).toEqual([
      'demo.yml:3:103 only checks are retried: declare read_only: true if "flush" changes nothing, or remove retry',
      'demo.yml:4:82 only checks are retried: declare read_only: true if "exec" changes nothing, or remove retry',
    ]);
    // Rendered anyway (the schema alone accepts it): the retry is dropped.
    const steps = renderSteps(RunbookSchema.parse(parseYaml(text)), {});
    expect(steps.map((s) => [s.id, s.retry?.attempts ?? null])).toEqual([['flush', null], ['exec', null], ['get', 3]]);
  });
});
