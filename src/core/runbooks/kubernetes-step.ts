import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

/**
 * The `kubernetes:` step: one kubectl verb on one resource, built by opsroom as an argv list and run
 * with the system's context and namespace (inventory `systems.<name>.kubernetes`). Never a shell line.
 */

/** Read verbs change nothing; the others change the cluster and are always dangerous. */
export const KUBERNETES_READ_VERBS = ['get', 'describe', 'logs', 'top', 'status', 'history'] as const;
export const KUBERNETES_WRITE_VERBS = ['restart', 'scale', 'undo', 'delete'] as const;
const KUBERNETES_VERBS = [...KUBERNETES_READ_VERBS, 'exec', ...KUBERNETES_WRITE_VERBS] as const;
export type KubernetesVerb = (typeof KUBERNETES_VERBS)[number];

// schema.ts imports this file, so its DurationSchema cannot be imported here.
const DurationSchema = z.union([z.string().regex(new RegExp(DURATION_PATTERN), 'expected a duration like 10s, 2m, 1h30m'), z.number().positive()]);
const resource = (d: string) => z.string().min(1).describe(d);
const count = z.union([z.number().int().min(0), z.string().min(1)]);

/** Which verbs each option applies to. */
const OPTIONS: Record<string, readonly KubernetesVerb[]> = {
  command: ['exec'],
  container: ['exec', 'logs'],
  selector: ['get', 'describe', 'logs', 'top', 'delete'],
  output: ['get'],
  sort_by: ['get', 'top'],
  since: ['logs'],
  tail: ['logs'],
  previous: ['logs'],
  grep: ['logs'],
  ignore_case: ['logs'],
  replicas: ['scale'],
  to_revision: ['undo'],
};

export const KubernetesStepSchema = z
  .strictObject({
    get: resource('kubectl get: a type (`pods`, `pods,svc`, `events`) or type/name (`deployment/redis`).').optional(),
    describe: resource('kubectl describe: a type (`nodes`) or type/name.').optional(),
    logs: z
      .union([z.literal(true), z.string().min(1)])
      .optional()
      .describe('kubectl logs of a workload (`deployment/x`), pod, or `true` with `selector`.'),
    top: z.enum(['pods', 'nodes']).optional().describe('kubectl top pods|nodes.'),
    exec: resource('kubectl exec into a workload (`deployment/redis`: kubectl picks one of its pods, a ready one first) or a pod.').optional(),
    restart: resource('kubectl rollout restart of a deployment, statefulset or daemonset, then rollout status within the step\'s timeout.').optional(),
    scale: resource('kubectl scale of a deployment or statefulset to `replicas`.').optional(),
    status: resource('kubectl rollout status (waits within the step\'s timeout).').optional(),
    history: resource('kubectl rollout history.').optional(),
    undo: resource('kubectl rollout undo, to `to_revision` when given.').optional(),
    delete: resource('kubectl delete of type/name (or a type with `selector`).').optional(),
    namespace: z.string().min(1).optional().describe('Namespace (default: the system\'s, from the inventory).'),
    command: z.array(z.string()).min(1).optional().describe('exec: the argv run in the container (no shell unless you write [sh, -c, …]).'),
    container: z.string().min(1).optional().describe('Container in the pod (exec, logs).'),
    selector: z.string().min(1).optional().describe('Label selector (`app=denis`), as kubectl -l.'),
    output: z.enum(['wide', 'yaml', 'json', 'name']).optional(),
    sort_by: z.string().min(1).optional().describe('get: a JSONPath (`.metadata.creationTimestamp`); top: cpu or memory.'),
    since: DurationSchema.optional(),
    tail: z.number().int().positive().optional(),
    previous: z.literal(true).optional().describe('Logs of the previous, crashed container.'),
    grep: z.string().min(1).optional().describe('Keep log lines matching this regular expression (JavaScript: `error|fatal`), filtered by opsroom.'),
    ignore_case: z.boolean().optional(),
    replicas: count.optional().describe('scale: the number of replicas (an integer or a {{ param }}).'),
    to_revision: count.optional().describe('undo: the revision to go back to.'),
  })
  .superRefine((k, ctx) => {
    const verbs = KUBERNETES_VERBS.filter((v) => k[v] !== undefined);
    if (verbs.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: verbs.length
          ? `a kubernetes step does one thing; found ${verbs.join(', ')}`
          : `a kubernetes step needs one of: ${KUBERNETES_VERBS.join(', ')}`,
      });
      return;
    }
    const verb = verbs[0];
    for (const [option, allowed] of Object.entries(OPTIONS))
      if (k[option as keyof typeof k] !== undefined && !allowed.includes(verb))
        ctx.addIssue({ code: 'custom', path: [option], message: `${option} does not apply to ${verb} (only to ${allowed.join(', ')})` });
    if (verb === 'exec' && k.command === undefined)
      ctx.addIssue({ code: 'custom', path: ['exec'], message: 'exec needs `command`: the argv to run, e.g. [redis-cli, ping]' });
    if (verb === 'scale' && k.replicas === undefined)
      ctx.addIssue({ code: 'custom', path: ['scale'], message: 'scale needs `replicas`' });
    if (verb === 'logs' && k.logs === true && k.selector === undefined)
      ctx.addIssue({ code: 'custom', path: ['logs'], message: '`logs: true` needs a `selector`; or name the workload: logs: deployment/x' });
    if (verb === 'logs' && typeof k.logs === 'string' && k.selector !== undefined)
      ctx.addIssue({ code: 'custom', path: ['selector'], message: 'name a workload or a selector, not both' });
    if (verb === 'top' && k.sort_by !== undefined && !['cpu', 'memory'].includes(k.sort_by))
      ctx.addIssue({ code: 'custom', path: ['sort_by'], message: 'top sorts by cpu or memory' });
  })
  .describe('A kubectl operation on the system\'s cluster, with its context and namespace from the inventory.');

export type KubernetesStep = z.infer<typeof KubernetesStepSchema>;

/** The verb of a kubernetes step (the schema guarantees exactly one). */
export const kubernetesVerbOf = (k: KubernetesStep): KubernetesVerb => KUBERNETES_VERBS.find((v) => k[v] !== undefined)!;
