import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { InventorySchema } from '#core/inventory/schema.js';
import { lint, yaml } from './helpers.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIjZ3X1YqDq8rjD1wZ1cQGkR7aGzv6n4zYH0nL8l3l0m';
const inventory = InventorySchema.parse({
  hosts: { bastion: { address: '10.0.0.5', user: 'ops', key_path: '~/.ssh/id', host_key: KEY } },
  docker: { projects: { minimarket: { services: ['dashboard', 'postgres'] } }, containers: ['inventario_retail_db'] },
});

describe('semantic pass', () => {
  it('accepts a correct runbook', () => {
    const r = lint(
      yaml(
        'severity: P1',
        'title: T',
        'docker: { project: minimarket }',
        'ssh: { host: bastion }',
        'params:',
        '  ns: { type: string, pattern: "^[a-z]+$", default: denis }',
        'steps:',
        '  - { id: a, title: A, ssh: { command: "kubectl get pods -n {{ ns }}" } }',
        '  - { id: b, title: B, docker: { service: dashboard, restart: true }, danger: true, on_failure: { goto: c } }',
        '  - { id: c, title: C, docker: { container: inventario_retail_db, exec: [pg_isready] } }',
      ),
      { inventory, severities: DEFAULT_SEVERITIES },
    );
    expect(r.errors).toEqual([]);
    expect(r.runbook!.id).toBe('t/demo');
  });

  it('reports step id, goto, template and parameter problems all at once', () => {
    const { errors } = lint(
      yaml(
        'title: T', //                                                                            1
        'params:', //                                                                             2
        '  ns: { type: string }', //                                                              3
        '  unused: { type: integer, default: 5 }', //                                             4
        '  level: { type: enum }', //                                                             5
        '  n: { type: integer, min: 1, max: 3, default: 9 }', //                                  6
        'steps:', //                                                                              7
        '  - { id: a, title: A, ssh: { host: h, command: "echo {{ ns }} {{ nope }} {{level}} {{ n }}" } }', // 8
        '  - { id: a, title: B, manual: x, on_failure: { goto: a } }', //                         9
        '  - { id: c, title: C, manual: x, on_failure: { goto: zzz } }', //                       10
        '  - { id: d, title: "D {{ bad-name }}", manual: x }', //                                 11
      ),
    );
    expect(errors).toEqual([
      'demo.yml:4:3 parameter "unused" is declared but never used',
      'demo.yml:5:10 parameter "level": an enum needs values',
      'demo.yml:6:48 parameter "n": default must be at most 3, got 9',
      'demo.yml:8:64 {{ nope }} is not a declared parameter',
      'demo.yml:9:11 duplicate step id "a" (first at step 1)',
      'demo.yml:9:55 goto "a" jumps backwards; a goto must name a later step (no loops)',
      'demo.yml:10:55 goto "zzz": no such step',
      'demo.yml:11:24 malformed template "{{ bad-name }}": write {{ name }} with a declared parameter',
    ]);
  });

  it('refuses templates inside quotes in shell text, where the value would escape its quoting', () => {
    const { errors } = lint(
      yaml(
        'title: T',
        'params: { sku: { type: string } }',
        'ssh: { host: h }',
        'steps:',
        `  - { id: a, title: A, ssh: { command: "psql -c \\"SELECT '{{ sku }}'\\"" } }`,
        `  - { id: b, title: B, ssh: { command: "echo '{{ sku }}'" } }`,
        `  - { id: c, title: C, ssh: { command: "echo \\\\{{ sku }}" } }`,
        `  - { id: d, title: D, docker: { container: x, shell: true, exec: "echo \\"{{ sku }}\\" | wc" } }`,
        `  - { id: e, title: E, ssh: { command: "echo '{{' {{ sku }} 'done'" } }`,
      ),
    );
    expect(errors.filter((e) => e.includes('inside quotes')).length).toBe(4);
    expect(errors.some((e) => e.startsWith('demo.yml:9:'))).toBe(true); // line 9: only the malformed literal "{{"
    expect(errors.filter((e) => e.startsWith('demo.yml:9:')).every((e) => e.includes('malformed'))).toBe(true);
  });

  it('refuses templates in here-documents, and accepts them in here-strings and before a heredoc', () => {
    const { errors } = lint(
      yaml(
        'title: T',
        'params: { v: { type: string } }',
        'ssh: { host: h }',
        'steps:',
        '  - id: a',
        '    title: A',
        '    ssh:',
        '      command: |',
        '        psql -v ON_ERROR_STOP=1 -U {{ v }} <<EOF',
        '        SELECT {{ v }};',
        '        EOF',
        '  - { id: b, title: B, ssh: { command: "cat <<< {{ v }}" } }',
        '  - { id: c, title: C, ssh: { command: "X={{ v }} python -c \\"import os; print(os.environ[\'X\'])\\"" } }',
      ),
    );
    expect(errors).toEqual([
      'demo.yml:10:16 {{ v }} is in a here-document, where quoting does not hold; pass it as an argument or an environment variable (NAME={{ v }} cmd)',
    ]);
  });

  it('checks hosts and docker targets against the inventory', () => {
    const { errors } = lint(
      yaml(
        'title: T',
        'steps:',
        '  - { id: a, title: A, ssh: { host: nowhere, command: uptime } }',
        '  - { id: b, title: B, ssh: { command: uptime } }',
        '  - { id: c, title: C, docker: { project: minimarket, service: redis, ps: true } }',
        '  - { id: d, title: D, docker: { project: other, service: x, stats: true } }',
        '  - { id: e, title: E, docker: { container: ghost, logs: true } }',
        '  - { id: f, title: F, docker: { service: dashboard, exec: [ls] } }',
        '  - { id: g, title: G, docker: { project: minimarket, exec: [ls] } }',
        '  - { id: h, title: H, docker: { restart: true }, danger: true }',
        '  - { id: i, title: I, docker: { container: "bad name!", stop: true }, danger: true }',
        '  - { id: j, title: J, docker: { container: x, service: y, start: true }, danger: false }',
      ),
      { inventory },
    );
    expect(errors).toEqual([
      'demo.yml:3:37 unknown host "nowhere" (inventory has: bastion)',
      'demo.yml:4:29 ssh step needs a host (or set ssh.host on the runbook)',
      'demo.yml:5:64 service "redis" is not in compose project "minimarket" (inventory: dashboard, postgres)',
      'demo.yml:6:43 compose project "other" is not in the inventory (docker.projects: minimarket)',
      'demo.yml:7:45 container "ghost" is not in the inventory (docker.containers: inventario_retail_db)',
      'demo.yml:8:32 service needs a compose project: set project here or docker.project on the runbook',
      'demo.yml:9:32 exec needs one container: set container or service',
      'demo.yml:10:32 this docker step needs a target: container, service or project (or docker.project on the runbook)',
      'demo.yml:11:45 "bad name!" is not a valid container, project or service name',
      'demo.yml:12:32 name a container or a compose project/service, not both',
      'demo.yml:12:45 container "x" is not in the inventory (docker.containers: inventario_retail_db)',
    ]);
  });

  it('requires env.NAME parameters to be listed in the inventory secrets', () => {
    const text = yaml('title: T', 'params:', '  t: { type: string, from: env.ADMIN_TOKEN }', 'steps: [{ id: a, title: "{{ t }}", manual: x }]');
    expect(lint(text, { inventory }).errors).toEqual([
      'demo.yml:3:28 parameter "t" reads ADMIN_TOKEN: list it in the inventory\'s secrets so its value is always redacted',
    ]);
    expect(lint(text, { inventory: { ...inventory, secrets: ['ADMIN_TOKEN'] } }).errors).toEqual([]);
    expect(lint(yaml('title: T', 'params: { t: { from: env.bad-name } }', 'steps: [{ id: a, title: "{{ t }}", manual: x }]')).errors).toEqual([
      'demo.yml:2:22 params.t.from: expected incident.service, incident.severity, incident.title, env.NAME or alert.labels.NAME',
    ]);
  });

  it('checks the runbook defaults once: ssh.host in the inventory, docker.project a plain name', () => {
    const { errors } = lint(
      yaml(
        'title: T',
        'ssh: { host: gone }',
        'docker: { project: "{{ p }}" }',
        'steps:',
        '  - { id: a, title: A, ssh: { command: uptime } }',
        '  - { id: b, title: B, ssh: { command: hostname } }',
      ),
      { inventory },
    );
    expect(errors).toEqual([
      'demo.yml:2:14 unknown host "gone" (inventory has: bastion)',
      'demo.yml:3:20 "{{ p }}" is not a valid compose project name (no templates here)',
    ]);
  });

  it('checks severity against the configured list, aliases and per-system names', () => {
    const rb = (sev: string) => yaml(`severity: ${sev}`, 'title: T', 'steps: [{ id: a, title: A, manual: x }]');
    const opts = { severities: DEFAULT_SEVERITIES, severityAliases: { 'ai-multimodel': { P0: 'P1' } } };
    expect(lint(rb('P2'), opts).errors).toEqual([]);
    expect(lint(rb('SEV1'), opts).errors).toEqual([]);
    expect(lint(rb('P0'), opts, 'ai-multimodel/rollback').errors).toEqual([]);
    expect(lint(rb('P0'), opts, 'denis/redis-down').errors).toEqual(['demo.yml:1:11 unknown severity "P0" (known: P1, P2, P3, P4)']);
  });

  it('checks urls, regexes and expectations per step kind', () => {
    const { errors } = lint(
      yaml(
        'title: T',
        'params: { p: { type: string } }',
        'steps:',
        '  - { id: a, title: A, http: { url: "ftp://x/{{ p }}" } }',
        '  - { id: b, title: B, http: { url: "http://x" }, expect: { exit_code: 0 } }',
        '  - { id: c, title: C, wait: 5s, expect: { output_contains: x } }',
        '  - { id: d, title: D, docker: { container: x, exec: [ls] }, expect: { output_matches: "([a-z" } }',
      ),
    );
    expect(errors).toEqual([
      'demo.yml:4:37 "ftp://x/{{ p }}" is not an http:// or https:// URL',
      'demo.yml:5:72 an http step has no exit code; use expect.status',
      'demo.yml:6:42 a wait step has no output to check; remove expect',
      expect.stringMatching(/^demo\.yml:7:88 invalid regular expression: /),
    ]);
  });
});
