/**
 * The kubernetes step kind: every verb renders to kubectl's exact argv with the system's context and
 * namespace; parameters land inside one argv element and must be Kubernetes names; danger and
 * read-only follow the verb; locks are per context, namespace and resource.
 */
import { describe, expect, it } from 'vitest';
import { CodedError } from '#core/errors.js';
import { targetProblem } from '#core/inventory/allow.js';
import type { Inventory } from '#core/inventory/schema.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { isRemediation, verificationChecks } from '#core/recovery/checks.js';
import { needsLock, readOnly, targetKey } from '#core/runs/expect.js';
import { describeCommand, type KubernetesCommand } from '#core/runs/step-runner.js';
import { remoteCommandOf } from '#executors/kubernetes/kubernetes-step-runner.js';
import { lint, yaml } from './helpers.js';

const HOST = { address: 'b.example', port: 22, user: 'ops', key_path: '/k', host_key: 'ssh-ed25519 AAAA' };
const kube = (over: object = {}) => ({ host: 'denis-bastion', context: 'denis-prod', namespace: 'denis', local: false, kubectl: 'kubectl', ...over });
const inventory = (access: object | null = kube()): Inventory => ({
  hosts: { 'denis-bastion': HOST, 'other-bastion': HOST }, docker: {}, secrets: [],
  systems: { denis: { name: 'denis', hosts: [], engines: {}, projects: {}, http: {}, ...(access ? { kubernetes: access } : {}) } },
} as unknown as Inventory);

const PARAMS = [
  'params:',
  '  workload: { default: deployment/redis }',
  '  ns: { default: denis }',
  '  replicas: { type: integer, min: 0, max: 20, default: 3 }',
  '  key: { default: "x" }',
];

/** One step (YAML flow text) rendered in runbook denis/t. */
function render(step: string, params: Record<string, string> = {}, inv: Inventory | null = inventory()) {
  const uses = '  - { id: z, title: "{{ workload }} {{ ns }} {{ replicas }} {{ key }}", manual: x }';
  const r = lint(yaml('title: T', ...PARAMS, 'steps:', `  - { id: s, title: S, ${step} }`, uses), {}, 'denis/t');
  expect(r.errors).toEqual([]);
  return renderRunbook({ ...r.runbook!, id: 'denis/t' }, params, {}, inv ?? undefined).steps[0];
}
/** `inv` null: rendered without an inventory. */
const cmd = (step: string, params: Record<string, string> = {}, inv: Inventory | null = inventory()) =>
  render(step, params, inv).command as KubernetesCommand;
const argv = (step: string, params: Record<string, string> = {}) => cmd(step, params).argv;
const P = ['kubectl', '--context=denis-prod', '--namespace=denis'];
const refused = (step: string, params: Record<string, string>) => {
  try {
    render(step, params);
  } catch (e) {
    expect(e).toBeInstanceOf(CodedError);
    return (e as Error).message;
  }
  throw new Error('expected the step to be refused');
};

describe('kubernetes: every verb as kubectl argv', () => {
  it('get, with a selector, an output and a sort order', () => {
    expect(argv('kubernetes: { get: pods, selector: app=denis, output: wide }')).toEqual([...P, 'get', 'pods', '--selector=app=denis', '--output=wide']);
    expect(argv('kubernetes: { get: events, sort_by: .firstTimestamp }')).toEqual([...P, 'get', 'events', '--sort-by=.firstTimestamp']);
    expect(argv('kubernetes: { get: "pods,svc" }')).toEqual([...P, 'get', 'pods,svc']);
    expect(argv('kubernetes: { get: "{{ workload }}" }')).toEqual([...P, 'get', 'deployment/redis']);
  });

  it('describe', () => {
    expect(argv('kubernetes: { describe: nodes }')).toEqual([...P, 'describe', 'nodes']);
    expect(argv('kubernetes: { describe: deployment/denis }')).toEqual([...P, 'describe', 'deployment/denis']);
  });

  it('logs: workload or selector, container, since, tail, previous', () => {
    expect(argv('kubernetes: { logs: deployment/api, container: app, since: 10m, tail: 50, previous: true }'))
      .toEqual([...P, 'logs', 'deployment/api', '--container=app', '--since=600s', '--tail=50', '--previous']);
    expect(argv('kubernetes: { logs: true, selector: app=denis, tail: 100 }')).toEqual([...P, 'logs', '--selector=app=denis', '--tail=100']);
    const c = cmd('kubernetes: { logs: deployment/api, grep: "ERROR\\\\|WARN", ignore_case: true }');
    expect({ grep: c.grep, ignoreCase: c.ignoreCase }).toEqual({ grep: 'ERROR|WARN', ignoreCase: true });
  });

  it('top pods and nodes', () => {
    expect(argv('kubernetes: { top: pods, sort_by: cpu }')).toEqual([...P, 'top', 'pods', '--sort-by=cpu']);
    expect(argv('kubernetes: { top: nodes }')).toEqual([...P, 'top', 'nodes']);
  });

  it('exec into a workload: kubectl picks the pod; the command after --, one element per word', () => {
    expect(argv('kubernetes: { exec: deployment/redis, command: [redis-cli, ping] }')).toEqual([...P, 'exec', 'deployment/redis', '--', 'redis-cli', 'ping']);
    expect(argv('kubernetes: { exec: neo4j-0, container: neo4j, command: [cypher-shell, "RETURN 1"] }'))
      .toEqual([...P, 'exec', 'neo4j-0', '--container=neo4j', '--', 'cypher-shell', 'RETURN 1']);
  });

  it('rollout restart, then rollout status with the rest of the step\'s timeout', () => {
    const c = cmd('kubernetes: { restart: statefulset/redis }, danger: true');
    expect(c.argv).toEqual([...P, 'rollout', 'restart', 'statefulset/redis']);
    expect(c.wait).toEqual([...P, 'rollout', 'status', 'statefulset/redis']);
    expect(describeCommand(c)).toBe('ssh denis-bastion kubectl --context=denis-prod --namespace=denis rollout restart statefulset/redis && ' +
      "ssh denis-bastion kubectl --context=denis-prod --namespace=denis rollout status statefulset/redis --timeout=<rest of the step's timeout>");
  });

  it('scale, status, history, undo, delete', () => {
    expect(argv('kubernetes: { scale: deployment/denis-workers, replicas: "{{ replicas }}" }, danger: true', { replicas: '7' }))
      .toEqual([...P, 'scale', 'deployment/denis-workers', '--replicas=7']);
    expect(argv('kubernetes: { scale: deployment/api, replicas: 0 }, danger: true')).toEqual([...P, 'scale', 'deployment/api', '--replicas=0']);
    const status = cmd('kubernetes: { status: deployment/api }');
    expect([status.argv, status.timed]).toEqual([[...P, 'rollout', 'status', 'deployment/api'], true]);
    expect(argv('kubernetes: { history: deployment/api }')).toEqual([...P, 'rollout', 'history', 'deployment/api']);
    expect(argv('kubernetes: { undo: deployment/api, to_revision: 41 }, danger: true')).toEqual([...P, 'rollout', 'undo', 'deployment/api', '--to-revision=41']);
    expect(argv('kubernetes: { delete: pod/api-7d9f-x2 }, danger: true')).toEqual([...P, 'delete', 'pod/api-7d9f-x2']);
    expect(argv('kubernetes: { delete: pods, selector: app=old }, danger: true')).toEqual([...P, 'delete', 'pods', '--selector=app=old']);
  });

  it('a step may name another namespace; the context is always the inventory\'s', () => {
    expect(argv('kubernetes: { get: pods, namespace: "{{ ns }}" }', { ns: 'denis-staging' }))
      .toEqual(['kubectl', '--context=denis-prod', '--namespace=denis-staging', 'get', 'pods']);
  });

  it('local: true runs the inventory\'s kubectl here; no host', () => {
    const c = cmd('kubernetes: { get: pods }', {}, inventory(kube({ host: undefined, local: true, kubectl: '/usr/bin/kubectl' })));
    expect(c).toMatchObject({ local: true, argv: ['/usr/bin/kubectl', '--context=denis-prod', '--namespace=denis', 'get', 'pods'] });
    expect(c.host).toBeUndefined();
    expect(describeCommand(c)).toBe('/usr/bin/kubectl --context=denis-prod --namespace=denis get pods');
  });
});

describe('kubernetes: hostile parameter values', () => {
  it.each([
    ['a resource that is an option', 'kubernetes: { get: "{{ workload }}" }', { workload: 'pods --all-namespaces' }],
    ['a resource with a shell word', 'kubernetes: { exec: "{{ workload }}", command: [id] }', { workload: 'deployment/redis;id' }],
    ['a restart of a non-workload', 'kubernetes: { restart: "{{ workload }}" }, danger: true', { workload: 'secret/admin' }],
    ['a namespace with a space', 'kubernetes: { get: pods, namespace: "{{ ns }}" }', { ns: 'denis --as=admin' }],
    ['a namespace in capitals', 'kubernetes: { get: pods, namespace: "{{ ns }}" }', { ns: 'Kube-System' }],
    ['a scale to a word', 'kubernetes: { scale: "deployment/{{ key }}", replicas: 1 }, danger: true', { key: 'api --replicas=100' }],
  ])('refuses %s', (_what, step, params) => {
    expect(refused(step, params)).toMatch(/^step s: kubernetes \w+ ".*" is not/);
  });

  it('exec arguments stay whole: each is one argv element, single-quoted for the bastion\'s shell', () => {
    const c = cmd('kubernetes: { exec: deployment/redis, command: [redis-cli, GET, "{{ key }}"] }, read_only: true', { key: "k'; rm -rf / #$(id)" });
    expect(c.argv.slice(-2)).toEqual(['GET', "k'; rm -rf / #$(id)"]);
    expect(remoteCommandOf(c.argv)).toBe(`'kubectl' '--context=denis-prod' '--namespace=denis' 'exec' 'deployment/redis' '--' 'redis-cli' 'GET' 'k'\\''; rm -rf / #$(id)'`);
  });

  it('a script element ([sh, -c, …]) gets its parameters shell-quoted inside the script', () => {
    const c = cmd('kubernetes: { exec: deployment/redis, command: [sh, -c, "redis-cli GET {{ key }} | head -1"] }, read_only: true', { key: 'a b;c' });
    expect(c.argv.at(-1)).toBe("redis-cli GET 'a b;c' | head -1");
  });
});

describe('kubernetes: danger, read-only, locks', () => {
  it('read verbs are read-only by construction and take no lock', () => {
    for (const step of ['kubernetes: { get: pods }', 'kubernetes: { logs: deployment/a }', 'kubernetes: { top: nodes }', 'kubernetes: { describe: nodes }', 'kubernetes: { status: deployment/a }']) {
      const s = render(step);
      expect({ step, readOnly: readOnly(s), lock: needsLock(s), danger: s.danger }).toEqual({ step, readOnly: true, lock: false, danger: false });
    }
  });

  it('write verbs are dangerous and locked, and lint wants them marked', () => {
    for (const step of ['kubernetes: { restart: deployment/a }', 'kubernetes: { scale: deployment/a, replicas: 2 }', 'kubernetes: { undo: deployment/a }', 'kubernetes: { delete: pod/a }']) {
      const errors = lint(yaml('title: T', 'steps:', `  - { id: s, title: S, ${step} }`), {}, 'denis/t').errors;
      expect(errors.join('\n')).toMatch(/looks like it changes state \("kubectl/);
      const s = render(`${step}, danger: true`);
      expect({ readOnly: readOnly(s), lock: needsLock(s), danger: s.danger }).toEqual({ readOnly: false, lock: true, danger: true });
    }
    const errors = lint(yaml('title: T', 'steps:', '  - { id: s, title: S, kubernetes: { restart: deployment/a }, danger: false }'), {}, 'denis/t').errors;
    expect(errors.join('\n')).toMatch(/always dangerous: remove danger: false/);
  });

  it('exec is read-only only when declared and its argv shows no write', () => {
    expect(readOnly(render('kubernetes: { exec: deployment/redis, command: [redis-cli, ping] }, read_only: true'))).toBe(true);
    expect(readOnly(render('kubernetes: { exec: deployment/redis, command: [redis-cli, ping] }'))).toBe(false);
    const errors = lint(yaml('title: T', 'steps:', '  - { id: s, title: S, kubernetes: { exec: deployment/redis, command: [redis-cli, flushall] }, danger: true, read_only: true }'), {}, 'denis/t').errors;
    expect(errors.join('\n')).toMatch(/read_only/);
  });

  it('a restart is a remediation that the read-only exec after it verifies', () => {
    const r = lint(yaml('title: T', 'steps:',
      '  - { id: restart, title: R, kubernetes: { restart: statefulset/redis }, danger: true }',
      '  - { id: ping, title: P, kubernetes: { exec: statefulset/redis, command: [redis-cli, ping] }, read_only: true }',
      '  - { id: scale, title: S, kubernetes: { scale: deployment/api, replicas: 2 }, danger: true }'), {}, 'denis/t');
    const steps = renderRunbook({ ...r.runbook!, id: 'denis/t' }, {}, {}, inventory()).steps.map((step) => ({ stepId: step.id, step }));
    expect(steps.map((s) => isRemediation(s.step))).toEqual([true, false, true]);
    expect(verificationChecks(steps, 'restart')).toEqual(['ping']);
  });

  it('the lock key is context, namespace and resource, whatever kubectl spelling or bastion', () => {
    const key = (step: string, inv?: Inventory) => targetKey(cmd(step, {}, inv));
    expect(key('kubernetes: { restart: deploy/redis }, danger: true')).toBe('kubernetes:denis-prod/denis/deployment/redis');
    expect(key('kubernetes: { scale: deployments.apps/redis, replicas: 1 }, danger: true')).toBe('kubernetes:denis-prod/denis/deployment/redis');
    expect(key('kubernetes: { restart: deployment/redis }, danger: true', inventory(kube({ host: 'other-bastion' })))).toBe('kubernetes:denis-prod/denis/deployment/redis');
    expect(key('kubernetes: { restart: deployment/redis, namespace: other }, danger: true')).toBe('kubernetes:denis-prod/other/deployment/redis');
    expect(key('kubernetes: { restart: deployment/redis }, danger: true', inventory(kube({ context: 'denis-staging' })))).toBe('kubernetes:denis-staging/denis/deployment/redis');
    expect(key('kubernetes: { delete: pods, selector: app=old }, danger: true')).toBe('kubernetes:denis-prod/denis/pod[app=old]');
  });
});

describe('kubernetes: the inventory', () => {
  it('without access the command has no host and is refused before it runs', () => {
    const c = cmd('kubernetes: { get: pods }', {}, null);
    expect(c.argv).toEqual(['kubectl', 'get', 'pods']);
    expect(targetProblem(c, inventory(null))).toMatch(/system "denis" has no kubernetes access in the inventory \(systems\.denis\.kubernetes\)/);
    expect(targetProblem(cmd('kubernetes: { get: pods }'), inventory())).toBeUndefined();
    expect(targetProblem({ ...cmd('kubernetes: { get: pods }'), host: 'other-bastion' }, inventory())).toMatch(/must run where the inventory says/);
  });

  it('get refuses Secrets, which would print their data into the thread; describe shows only sizes', () => {
    for (const r of ['secret/db', 'secrets', 'pods,secrets', 'secret.v1/db']) {
      const text = yaml('title: T', 'steps:', `  - { id: s, title: S, kubernetes: { get: "${r}", output: yaml } }`);
      expect(lint(text, {}, 'denis/t').errors.join('\n')).toMatch(/would print Secret data/);
    }
    expect(lint(yaml('title: T', 'steps:', '  - { id: s, title: S, kubernetes: { describe: secret/db } }'), {}, 'denis/t').errors).toEqual([]);
  });

  it('lint: bad literal names point at the field; a system without access is reported when the inventory has systems', () => {
    const text = yaml('title: T', 'steps:', '  - id: s', '    title: S', '    kubernetes:', '      get: Pods/X', '      namespace: "-n"');
    const errors = lint(text, {}, 'denis/t').errors;
    expect(errors).toEqual([
      expect.stringMatching(/^demo\.yml:6:\d+.*kubernetes get "Pods\/X" is not a resource type/),
      expect.stringMatching(/^demo\.yml:7:\d+.*kubernetes namespace "-n" is not a namespace/),
    ]);
    const ok = yaml('title: T', 'steps:', '  - { id: s, title: S, kubernetes: { get: pods } }');
    expect(lint(ok, { inventory: inventory() }, 'denis/t').errors).toEqual([]);
    expect(lint(ok, { inventory: inventory(null) }, 'denis/t').errors.join('\n')).toMatch(/system "denis" has no kubernetes access/);
  });
});
