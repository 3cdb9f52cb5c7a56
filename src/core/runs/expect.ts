/** What a step's outcome means: success by its expectations, its target, whether it needs a lock. */
import { checkCondition, statesOf } from './conditions.js';
import type { Expectation, ResolvedCommand, ResolvedStep, StepOutcome } from './step-runner.js';
import type { StepState } from './step-state.js';

export interface Verdict {
  state: 'succeeded' | 'failed' | 'timed_out';
  /** Why it did not succeed (shown to people; never contains the output itself). */
  reason: string | null;
}

const isHttp = (c: ResolvedCommand): boolean => c.kind === 'http';

/** Checks an outcome against the step's expectations. `output` is the full raw output. */
export function judge(step: Pick<ResolvedStep, 'command' | 'expect'>, outcome: StepOutcome): Verdict {
  if (outcome.timedOut) return { state: 'timed_out', reason: outcome.error ?? 'timed out' };
  if (outcome.error) return { state: 'failed', reason: outcome.error };
  const fail = (reason: string): Verdict => ({ state: 'failed', reason });
  const e: Expectation = step.expect;
  const out = outcome.output;

  if (isHttp(step.command)) {
    const status = outcome.httpStatus ?? outcome.exitCode;
    if (status === null || status === undefined) return fail('no HTTP status');
    if (e.httpStatus && e.httpStatus.length > 0) {
      if (!e.httpStatus.includes(status)) return fail(`HTTP status ${status}, expected ${e.httpStatus.join(' or ')}`);
    } else if (status < 200 || status >= 400) {
      return fail(`HTTP status ${status}`);
    }
  } else {
    const want = e.exitCode ?? 0;
    if (outcome.exitCode !== want) return fail(`exit code ${outcome.exitCode ?? 'none'}, expected ${want}`);
  }
  if (e.bodyContains !== undefined && !out.includes(e.bodyContains)) return fail(`body does not contain "${e.bodyContains}"`);
  if (e.outputContains !== undefined && !out.includes(e.outputContains)) return fail(`output does not contain "${e.outputContains}"`);
  if (e.outputNotContains !== undefined && out.includes(e.outputNotContains)) return fail(`output contains "${e.outputNotContains}"`);
  for (const [source, must] of [[e.outputMatches, true], [e.outputNotMatches, false]] as const) {
    if (source === undefined) continue;
    let re: RegExp;
    try {
      re = new RegExp(source, 'm');
    } catch {
      return fail(`invalid expectation pattern /${source}/`);
    }
    if (re.test(out) !== must) return fail(`output ${must ? 'does not match' : 'matches'} /${source}/`);
  }
  if (e.outputEmpty !== undefined) {
    const lines = out.split('\n').filter((l) => l.trim() !== '').length;
    if (e.outputEmpty && lines > 0) return fail(`output is not empty: ${lines} line${lines === 1 ? '' : 's'}`);
    if (!e.outputEmpty && lines === 0) return fail('output is empty');
  }
  return { state: 'succeeded', reason: null };
}

const KUBERNETES_READS = ['get', 'describe', 'logs', 'top', 'status', 'history'];
const KUBERNETES_CHANGES = ['restart', 'scale', 'undo', 'delete'];
/** kubectl's short and plural names of the types steps act on, so `deploy/x` and `deployment/x` share a lock. */
const KUBE_TYPES: Record<string, string> = {
  deploy: 'deployment', deployments: 'deployment', sts: 'statefulset', statefulsets: 'statefulset', ds: 'daemonset',
  daemonsets: 'daemonset', po: 'pod', pods: 'pod', svc: 'service', services: 'service', rs: 'replicaset',
  replicasets: 'replicaset', cm: 'configmap', configmaps: 'configmap', no: 'node', nodes: 'node', jobs: 'job',
};
const kubeType = (t: string) => { const base = t.split('.')[0]; return KUBE_TYPES[base] ?? base; };

/** `kubernetes:<context>/<namespace>/<type>/<name>`: per cluster, namespace and resource, not per bastion. */
function kubernetesLockKey(c: Extract<ResolvedCommand, { kind: 'kubernetes' }>): string {
  const [type, ...name] = c.resource.split('/');
  const resource = [type.split(',').map(kubeType).join(','), ...name].join('/');
  return `kubernetes:${c.context ?? '?'}/${c.namespace ?? '?'}/${resource}${c.selector !== undefined ? `[${c.selector}]` : ''}`;
}

/** A stable name for where a command acts; the key of the per-target lock. */
export function targetKey(c: ResolvedCommand): string {
  switch (c.kind) {
    case 'docker':
      // Per engine and target: the same project name on two engines is two targets.
      return `docker:${c.target.engine ? `${c.target.engine}:` : ''}${c.target.container !== undefined
        ? c.target.container
        : `${c.target.composeProject ?? '*'}/${c.target.composeService ?? '*'}`}`;
    case 'ssh':
      return `ssh:${c.host}`;
    case 'http': {
      try {
        return `http:${c.via ? `${c.via}>` : ''}${new URL(c.url).host}`;
      } catch {
        return `http:${c.url}`;
      }
    }
    case 'manual':
      return 'manual';
    case 'wait':
      return 'wait';
    case 'escalate':
      return `escalate:${c.to}`;
    case 'kubernetes':
      return kubernetesLockKey(c);
  }
}

/** Restarts, stops, starts and dangerous steps hold a lock on their target while they run. */
export function needsLock(step: Pick<ResolvedStep, 'command' | 'danger'>): boolean {
  const c = step.command;
  if (c.kind === 'docker' && (c.action === 'restart' || c.action === 'stop' || c.action === 'start')) return true;
  if (c.kind === 'kubernetes' && KUBERNETES_CHANGES.includes(c.verb)) return true;
  return step.danger && (c.kind === 'docker' || c.kind === 'ssh' || c.kind === 'http' || c.kind === 'kubernetes');
}

/** Read-only by its command, or declared so on a command that runs a process (see core/runbooks/read-only.ts). */
export function readOnly(step: Pick<ResolvedStep, 'command' | 'danger' | 'readOnly'>): boolean {
  const c = step.command;
  if (step.danger) return false;
  if (c.kind === 'http') return ['GET', 'HEAD', 'OPTIONS'].includes(c.method.toUpperCase());
  if (c.kind === 'docker' && (c.action === 'logs' || c.action === 'ps' || c.action === 'stats')) return true;
  if (c.kind === 'kubernetes' && KUBERNETES_READS.includes(c.verb)) return true;
  return (c.kind === 'ssh' || (c.kind === 'kubernetes' && c.verb === 'exec') || (c.kind === 'docker' && c.action === 'exec')) && step.readOnly === true;
}

/**
 * The steps "Run diagnostics" runs now, in order: the pending read-only steps (and waits) before the
 * first step that changes something and has not succeeded or been skipped. So checks and waits that
 * follow a restart are not run before the restart; manual steps that are not dangerous are passed by,
 * and so is a step whose `when:` is settled and does not hold (it will not run).
 */
export function diagnosticPlan(steps: readonly { stepId: string; state: StepState; step: Pick<ResolvedStep, 'command' | 'danger' | 'readOnly' | 'when'> }[]): string[] {
  const plan: string[] = [];
  const states = statesOf(steps);
  for (const s of steps) {
    const kind = s.step.command.kind;
    const passive = readOnly(s.step) || kind === 'wait' || (kind === 'manual' && !s.step.danger);
    if (!passive) {
      if (s.state === 'succeeded' || s.state === 'skipped') continue;
      const cond = checkCondition(s.step.when, states);
      if (s.state === 'pending' && cond.settled && !cond.holds) continue;
      break;
    }
    if (s.state === 'pending' && kind !== 'manual') plan.push(s.stepId);
  }
  // A wait with nothing after it to check is not worth running.
  while (plan.length && steps.find((s) => s.stepId === plan[plan.length - 1])?.step.command.kind === 'wait') plan.pop();
  return plan;
}
