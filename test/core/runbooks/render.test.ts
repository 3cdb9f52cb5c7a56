import { describe, expect, it } from 'vitest';
import { CodedError } from '#core/errors.js';
import { InventorySchema } from '#core/inventory/schema.js';
import { renderRunbook, renderSteps } from '#core/runbooks/render.js';
import { lint, yaml } from './helpers.js';

const load = (...lines: string[]) => {
  const r = lint(yaml(...lines));
  expect(r.errors).toEqual([]);
  return r.runbook!;
};

const codedMessage = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CodedError);
    expect((e as CodedError).code).toBe('bad_input');
    return (e as CodedError).message;
  }
  throw new Error('expected a CodedError');
};

describe('parameter values', () => {
  const rb = load(
    'title: T',
    'params:',
    '  svc: { type: string, pattern: "[a-z]+", from: incident.service, default: web }',
    '  level: { type: enum, values: [low, high], default: low }',
    '  n: { type: integer, min: 1, max: 10 }',
    '  window: { type: duration, default: 5m }',
    '  sev: { type: string, from: incident.severity, required: false }',
    '  key: { type: string, secret: true, default: s3cr3t }',
    'steps:',
    '  - { id: a, title: "{{ svc }} {{ level }} {{ n }} {{ window }} [{{ sev }}] {{ key }}", manual: x }',
  );
  const title = (params: Record<string, string | number>, incident?: object) =>
    renderSteps(rb, params, incident ? { incident } : {})[0].title;

  it('takes given values, then incident fields, then defaults', () => {
    expect(title({ n: 3 })).toBe('web low 3 5m [] s3cr3t');
    expect(title({ n: '4' }, { service: 'api', severity: 'P1' })).toBe('api low 4 5m [P1] s3cr3t');
    expect(title({ n: 4, svc: 'db', level: 'high', window: '1h30m' }, { service: 'api' })).toBe('db high 4 1h30m [] s3cr3t');
  });

  it('reports every bad value in one bad_input error', () => {
    const msg = codedMessage(() => renderSteps(rb, { svc: 'API', level: 'medium', n: '11', window: '5 min', other: 'x' }));
    expect(msg).toBe(
      [
        'unknown parameter "other" (declared: svc, level, n, window, sev, key)',
        'parameter "svc" must match [a-z]+, got "API"',
        'parameter "level" must be one of low, high, got "medium"',
        'parameter "n" must be at most 10, got 11',
        'parameter "window" must be a duration like 30s, 5m, 1h, got "5 min"',
      ].join('; '),
    );
    expect(codedMessage(() => renderSteps(rb, {}))).toBe('parameter "n" is required');
    expect(codedMessage(() => renderSteps(rb, { n: '2.5' }))).toBe('parameter "n" must be an integer, got "2.5"');
    expect(codedMessage(() => renderSteps(rb, { n: 0 }))).toBe('parameter "n" must be at least 1, got 0');
    expect(codedMessage(() => renderSteps(rb, { n: -2 }))).toBe(
      'parameter "n" must not be negative (it could be read as an option) unless min allows it, got -2',
    );
  });

  it('accepts negative integers only when min allows them', () => {
    const neg = load('title: T', 'params: { d: { type: integer, min: -10 } }', 'steps: [{ id: a, title: "{{ d }}", manual: x }]');
    expect(renderSteps(neg, { d: '-3' })[0].title).toBe('-3');
  });

  it('anchors patterns to the whole value', () => {
    expect(codedMessage(() => renderSteps(rb, { n: 1, svc: 'abc; id' }))).toMatch(/must match/);
  });

  it('returns secret values for redaction', () => {
    expect(renderRunbook(rb, { n: 1 }).secrets).toEqual(['s3cr3t']);
  });
});

describe('rendered steps', () => {
  it('maps every step kind to the ResolvedStep contract', () => {
    const rb = load(
      'title: T',
      'docker: { project: shop }',
      'ssh: { host: bastion }',
      'params: { svc: { type: string, default: api }, ns: { type: string, default: prod } }',
      'steps:',
      '  - { id: ps, title: Ps, docker: { ps: true } }',
      '  - { id: logs, title: Logs, docker: { service: "{{ svc }}", logs: { tail: 100, since: 24h, grep: "error", ignore_case: true } }, on_failure: continue }',
      '  - { id: ex, title: Ex, docker: { container: db, exec: [psql, -U, postgres, -c, "SELECT 1"], user: postgres, env: { PGCONNECT_TIMEOUT: "5" } }, expect: { output_contains: "1 row" } }',
      '  - { id: rs, title: Rs, docker: { project: other, service: web, restart: { timeout: 1m } }, danger: true, timeout: 2m }',
      '  - { id: ssh, title: Ssh, ssh: { command: "kubectl get pods -n {{ ns }}" }, read_only: true, expect: { exit_code: 1, output_not_contains: Crash, output_matches: "{{ ns }}.x" }, redact: true }',
      '  - { id: http, title: Http, http: { method: POST, url: "https://h/{{ svc }}", headers: { X-Env: "{{ ns }}" }, body: "{}", expect_status: [200, 204], expect_body: ok, insecure: true }, danger: false, on_failure: { goto: wait } }',
      '  - { id: manual, title: Man, manual: { instruction: "Check {{ svc }}", command: "free -h" } }',
      '  - { id: wait, title: Wait, wait: 10s }',
      '  - { id: esc, title: Esc, escalate: { to: sre, reason: "{{ svc }} down" } }',
    );
    const inventory = InventorySchema.parse({
      hosts: { bastion: { address: '127.0.0.1', user: 'u', key_path: 'k', host_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIjZ3X1YqDq8rjD1wZ1cQGkR7aGzv6n4zYH0nL8l3l0m' } },
    });
    const steps = renderSteps(rb, {}, {}, inventory);
    expect(steps).toEqual([
      { id: 'ps', title: 'Ps', command: { kind: 'docker', target: { composeProject: 'shop' }, action: 'ps' }, danger: false, readOnly: true, timeoutMs: 60_000, expect: {}, onFailure: { action: 'stop' }, redact: false },
      {
        id: 'logs', title: 'Logs',
        command: { kind: 'docker', target: { composeProject: 'shop', composeService: 'api' }, action: 'logs', tail: 100, sinceSeconds: 86_400, grep: 'error', ignoreCase: true },
        danger: false, readOnly: true, timeoutMs: 60_000, expect: {}, onFailure: { action: 'continue' }, redact: false,
      },
      {
        id: 'ex', title: 'Ex',
        command: { kind: 'docker', target: { container: 'db' }, action: 'exec', argv: ['psql', '-U', 'postgres', '-c', 'SELECT 1'], user: 'postgres', env: { PGCONNECT_TIMEOUT: '5' } },
        danger: false, readOnly: false, timeoutMs: 60_000, expect: { exitCode: 0, outputContains: '1 row' }, onFailure: { action: 'stop' }, redact: false,
      },
      {
        id: 'rs', title: 'Rs', command: { kind: 'docker', target: { composeProject: 'other', composeService: 'web' }, action: 'restart', timeoutSeconds: 60 },
        danger: true, readOnly: false, timeoutMs: 120_000, expect: {}, onFailure: { action: 'stop' }, redact: false,
      },
      {
        id: 'ssh', title: 'Ssh', command: { kind: 'ssh', host: 'bastion', command: "kubectl get pods -n 'prod'" },
        danger: false, readOnly: true, timeoutMs: 60_000, expect: { exitCode: 1, outputNotContains: 'Crash', outputMatches: 'prod.x' }, onFailure: { action: 'stop' }, redact: true,
      },
      {
        id: 'http', title: 'Http',
        command: { kind: 'http', method: 'POST', url: 'https://h/api', headers: { 'X-Env': 'prod', 'Content-Type': 'application/json' }, body: '{}', insecure: true },
        danger: false, readOnly: false, timeoutMs: 30_000, expect: { httpStatus: [200, 204], bodyContains: 'ok' }, onFailure: { action: 'goto', step: 'wait' }, redact: false,
      },
      { id: 'manual', title: 'Man', command: { kind: 'manual', instruction: 'Check api\n$ free -h' }, danger: false, readOnly: false, timeoutMs: 3_600_000, expect: {}, onFailure: { action: 'stop' }, redact: false },
      { id: 'wait', title: 'Wait', command: { kind: 'wait', seconds: 10 }, danger: false, readOnly: false, timeoutMs: 15_000, expect: {}, onFailure: { action: 'stop' }, redact: false },
      { id: 'esc', title: 'Esc', command: { kind: 'escalate', to: 'sre', reason: 'api down' }, danger: false, readOnly: false, timeoutMs: 30_000, expect: {}, onFailure: { action: 'stop' }, redact: false },
    ]);
  });

  it('refuses a rendered docker name that is not a valid name, and an unknown host', () => {
    const rb = load(
      'title: T',
      'params: { svc: { type: string } }',
      'steps:',
      '  - { id: a, title: A, docker: { container: "{{ svc }}", ps: true } }',
      '  - { id: b, title: B, ssh: { host: gone, command: uptime } }',
    );
    expect(codedMessage(() => renderSteps(rb, { svc: 'a/b' }))).toBe('docker container "a/b" is not a valid name');
    expect(() => renderSteps(rb, { svc: 'ok' }, {}, InventorySchema.parse({}))).toThrow(/host "gone" is not in the inventory/);
  });
});

describe('secrets from the environment', () => {
  const rb = load(
    'title: T',
    'params: { token: { type: string, from: env.ADMIN_TOKEN }, key_id: { type: string, pattern: "[a-z0-9]+" } }',
    'steps:',
    '  - { id: a, title: A, http: { method: DELETE, url: "https://api.test/admin/api-keys/{{ key_id }}", headers: { Authorization: "Bearer {{ token }}" } }, danger: true }',
  );
  const inventory = InventorySchema.parse({ secrets: ['ADMIN_TOKEN'] });

  it('reads env.NAME, and reports the value as a secret', () => {
    const r = renderRunbook(rb, { key_id: 'k1' }, { env: { ADMIN_TOKEN: 'tok-123' } }, inventory);
    const cmd = r.steps[0].command;
    expect(cmd.kind === 'http' && cmd.headers).toEqual({ Authorization: 'Bearer tok-123' });
    expect(r.secrets).toEqual(['tok-123']);
  });

  it('refuses a variable the inventory does not list as a secret', () => {
    const msg = codedMessage(() => renderRunbook(rb, { key_id: 'k1' }, { env: { ADMIN_TOKEN: 't' } }, InventorySchema.parse({})));
    expect(msg).toBe('parameter "token" reads ADMIN_TOKEN, which is not in the inventory\'s secrets');
  });

  it('says which variable to set when it is missing, and never echoes a bad secret', () => {
    expect(codedMessage(() => renderRunbook(rb, { key_id: 'k1' }, { env: {} }, inventory))).toBe(
      'parameter "token" is required (set ADMIN_TOKEN in the environment)',
    );
    const msg = codedMessage(() => renderRunbook(rb, { key_id: 'k1' }, { env: { ADMIN_TOKEN: 'line\nbreak-s3cret' } }, inventory));
    expect(msg).toBe('parameter "token" contains a control or invisible character');
    expect(msg).not.toContain('s3cret');
  });
});
