import { describe, expect, it } from 'vitest';
import { InventorySchema } from '#core/inventory/schema.js';
import { parseRunbook } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { runnerFromInventory } from '#executors/index.js';

const inventory = InventorySchema.parse({
  docker: { projects: { minimarket: { services: ['dashboard', 'postgres'] } }, containers: ['inventario_retail_db'] },
  secrets: ['DB_PASSWORD'],
});

const runbook = parseRunbook('t.yml', [
  'title: T',
  'params:',
  '  c: { type: string, default: inventario_retail_db }',
  '  svc: { type: string, default: dashboard }',
  '  who: { type: string, default: postgres }',
  '  dir: { type: string, default: /srv }',
  'steps:',
  '  - { id: logs, title: L, docker: { container: "{{ c }}", logs: true } }',
  '  - { id: svc, title: S, docker: { project: minimarket, service: "{{ svc }}", ps: true } }',
  '  - { id: ex, title: E, docker: { container: inventario_retail_db, exec: [id], user: "{{ who }}", workdir: "{{ dir }}" } }',
].join('\n'), 't/demo', { inventory }).runbook!;

describe('allow-lists when a step runs', () => {
  it('renders targets the inventory lists', () => {
    expect(renderRunbook(runbook, {}, {}, inventory).steps.map((s) => s.id)).toEqual(['logs', 'svc', 'ex']);
  });

  it('refuses a templated container, service, user or workdir outside the rules', () => {
    const refused = (given: Record<string, string>) => () => renderRunbook(runbook, given, {}, inventory);
    expect(refused({ c: 'opsroom' })).toThrow(/container "opsroom" is not in the inventory/);
    expect(refused({ svc: 'redis' })).toThrow(/service "redis" is not in compose project "minimarket"/);
    expect(refused({ who: 'root:0;x' })).toThrow(/docker user .* is not a user name/);
    expect(refused({ dir: '/srv/../etc' })).toThrow(/workdir .* without "\.\."/);
    expect(refused({ dir: 'relative' })).toThrow(/workdir/);
  });

  it('refuses at run time too, whatever a stored step says', async () => {
    const runner = runnerFromInventory(inventory);
    const opts = { timeoutMs: 1000, signal: new AbortController().signal, onOutput: () => {} };
    const out = await runner.run({ kind: 'docker', target: { container: 'opsroom' }, action: 'restart' }, opts);
    expect(out.error).toMatch(/^Refused: container "opsroom" is not in the inventory/);
    const ssh = await runner.run({ kind: 'ssh', host: 'nowhere', command: 'id' }, opts);
    expect(ssh.error).toMatch(/^Refused: host "nowhere" is not in the inventory/);
    await runner.close();
  });

  it('reads only the environment variables the inventory lists as secrets, with or without an inventory', () => {
    const reads = (name: string) => parseRunbook('t.yml', [
      'title: T',
      `params: { token: { type: string, from: env.${name}, secret: true } }`,
      'steps:',
      '  - { id: a, title: A, http: { url: "http://h/", headers: { Authorization: "Bearer {{ token }}" } } }',
    ].join('\n'), 't/demo').runbook!;
    const env = { DB_PASSWORD: 'pw-123456', HOME_TOKEN: 'not-listed-987' };
    expect(renderRunbook(reads('DB_PASSWORD'), {}, { env }, inventory).params.token).toBe('pw-123456');
    expect(() => renderRunbook(reads('HOME_TOKEN'), {}, { env }, inventory)).toThrow(/reads HOME_TOKEN, which is not in the inventory's secrets/);
    expect(() => renderRunbook(reads('DB_PASSWORD'), {}, { env })).toThrow(/reads DB_PASSWORD, which is not in the inventory's secrets/);
  });
});

describe('secrets and hosts a parameter chooses', () => {
  const rb = (hostParam: string) => parseRunbook('t.yml', [
    'title: T',
    `params: { host: ${hostParam}, token: { type: string, from: env.DB_PASSWORD } }`,
    'steps:',
    '  - { id: a, title: A, http: { url: "https://{{ host }}/health", headers: { Authorization: "Bearer {{ token }}" } } }',
  ].join('\n'), 't/demo', { inventory });

  it('refuses to send a secret to a host the person starting the runbook chooses, in lint and when rendering', () => {
    const free = rb('{ type: string, default: api.example }');
    expect(free.errors.map((e) => `${e.line} ${e.message}`)).toEqual([expect.stringMatching(/^4 step "a" sends the secret "token" to a host chosen by the parameter "host"/)]);
  });

  it('accepts an enum of hosts the runbook fixes', () => {
    const fixed = rb('{ type: enum, values: [api.example], default: api.example }');
    expect(fixed.errors).toEqual([]);
    const env = { DB_PASSWORD: 'pw-123456' };
    expect(() => renderRunbook(fixed.runbook!, { host: 'attacker.example' }, { env }, inventory)).toThrow(/must be one of|api\.example/);
    expect((renderRunbook(fixed.runbook!, {}, { env }, inventory).steps[0].command as { url: string }).url).toBe('https://api.example/health');
  });
});
