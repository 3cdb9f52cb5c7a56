import { CodedError, ErrorCode } from '../errors.js';
import { kubernetesAccessOf, NAMESPACE_RE, systemOfRunbook } from '../inventory/kubernetes.js';
import type { Inventory } from '../inventory/schema.js';
import { said } from '../said.js';
import type { KubernetesCommand } from '../runs/step-runner.js';
import { durationMs } from './duration.js';
import { kubernetesVerbOf, type KubernetesStep, type KubernetesVerb } from './kubernetes-step.js';
import { renderGrep, shellQuote, shellScriptIndex, verbatim } from './templates.js';

/**
 * Rendering a `kubernetes:` step into kubectl's argv. Every value (templated or not) lands in one
 * argv element and is checked against Kubernetes' own naming rules first, so none can be read as
 * an option or reach a shell: `--context`, `--namespace` and the verb's flags are written `--x=value`.
 */

const TYPE = '[a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)*';
/** An RFC 1123 subdomain: the names of pods, deployments, services… */
const NAME = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*';
const TYPE_RE = new RegExp(`^${TYPE}$`);
const TYPES_RE = new RegExp(`^${TYPE}(?:,${TYPE})*$`);
const NAMED_RE = new RegExp(`^${TYPE}/${NAME}$`);
const POD_RE = new RegExp(`^${NAME}$`);
const LABEL_KEY = '[A-Za-z0-9](?:[A-Za-z0-9_./-]*[A-Za-z0-9])?';
const SELECTOR_TERM = `(?:!?${LABEL_KEY}|${LABEL_KEY}(?:=|==|!=)(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)?)`;
const SELECTOR_RE = new RegExp(`^${SELECTOR_TERM}(?:,${SELECTOR_TERM})*$`);
const JSONPATH_RE = /^[.{][A-Za-z0-9_.[\]{}*@]*$/;
const INTEGER_RE = /^\d{1,6}$/;

const SCALABLE = ['deployment', 'deployments', 'deploy', 'statefulset', 'statefulsets', 'sts', 'replicaset', 'replicasets', 'rs'];
const WORKLOADS = ['deployment', 'deployments', 'deploy', 'statefulset', 'statefulsets', 'sts', 'daemonset', 'daemonsets', 'ds'];

/** What a resource must look like for each verb, and how to say so. */
function resourceProblem(verb: KubernetesVerb, r: string): string | undefined {
  const type = r.split('/')[0].split('.')[0];
  switch (verb) {
    case 'get':
    case 'describe':
      // `get secret -o yaml` prints the values into the thread; describe shows only their sizes.
      if (verb === 'get' && r.split('/')[0].split(',').some((t) => /^secrets?$/.test(t.split('.')[0]))) return 'would print Secret data: describe it instead, or read it in an ssh step with danger: true and redact: true';
      return TYPES_RE.test(r) || NAMED_RE.test(r) ? undefined : 'is not a resource type (pods, pods,svc) or type/name (deployment/redis)';
    case 'logs':
    case 'exec':
      return NAMED_RE.test(r) || POD_RE.test(r) ? undefined : 'is not a workload (deployment/redis) or pod name';
    case 'delete':
      return TYPE_RE.test(r) || NAMED_RE.test(r) ? undefined : 'is not a type/name (pod/x) or a type with a selector';
    case 'scale':
      return NAMED_RE.test(r) && SCALABLE.includes(type) ? undefined : 'is not a deployment/name, statefulset/name or replicaset/name';
    default:
      return NAMED_RE.test(r) && WORKLOADS.includes(type) ? undefined : 'is not a deployment/name, statefulset/name or daemonset/name';
  }
}

/** Why a (rendered or literal) value (`mark`: how someone else's words are marked in the message) of a kubernetes step field is refused; undefined when it is fine. */
export function kubernetesValueProblem(field: string, verb: KubernetesVerb, v: string, mark: (s: string) => string = (s) => s): string | undefined {
  const bad = (rule: string) => `kubernetes ${field} "${mark(v)}" ${rule}`;
  if (field === verb) {
    const p = resourceProblem(verb, v);
    return p && bad(p);
  }
  switch (field) {
    case 'namespace':
      return NAMESPACE_RE.test(v) ? undefined : bad('is not a namespace (a DNS label: lowercase letters, digits, "-")');
    case 'container':
      return NAMESPACE_RE.test(v) ? undefined : bad('is not a container name (a DNS label)');
    case 'selector':
      return SELECTOR_RE.test(v) ? undefined : bad('is not a label selector (app=redis, tier!=web, key)');
    case 'sort_by':
      return verb === 'top' || JSONPATH_RE.test(v) ? undefined : bad('is not a JSONPath (.metadata.creationTimestamp)');
    case 'replicas':
    case 'to_revision':
      return INTEGER_RE.test(v) && (field === 'replicas' || Number(v) > 0) ? undefined : bad(`is not a${field === 'replicas' ? 'n integer ≥ 0' : ' revision number'}`);
  }
  return undefined;
}

/** The fields of a step that are names, checked by kubernetesValueProblem (lint: when literal). */
export function kubernetesNameFields(k: KubernetesStep): [string, string][] {
  const verb = kubernetesVerbOf(k);
  const target = k[verb];
  const out: [string, string][] = typeof target === 'string' && verb !== 'top' ? [[verb, target]] : [];
  for (const f of ['namespace', 'container', 'selector', 'sort_by'] as const) if (k[f] !== undefined) out.push([f, k[f]!]);
  for (const f of ['replicas', 'to_revision'] as const) if (k[f] !== undefined) out.push([f, String(k[f])]);
  return out;
}

type Sub = (text: string, quote: (v: string) => string) => string;

export function renderKubernetes(runbookId: string | undefined, stepId: string, k: KubernetesStep, sub: Sub, inv?: Inventory): KubernetesCommand {
  const verb = kubernetesVerbOf(k);
  const system = systemOfRunbook(runbookId);
  const access = kubernetesAccessOf(inv, system);
  const value = (field: string, raw: string) => {
    const v = sub(raw, verbatim);
    const problem = kubernetesValueProblem(field, verb, v, said);
    if (problem) throw new CodedError(ErrorCode.BadInput, `step ${stepId}: ${problem}`);
    return v;
  };
  const namespace = k.namespace !== undefined ? value('namespace', k.namespace) : access?.namespace;
  const target = k[verb];
  const resource = verb === 'top' ? (k.top as string) : typeof target === 'string' ? value(verb, target) : 'pods';
  const selector = k.selector !== undefined ? value('selector', k.selector) : undefined;
  if (verb === 'delete' && !resource.includes('/') && selector === undefined)
    throw new CodedError(ErrorCode.InvalidRunbook, `step ${stepId}: delete needs type/name, or a type with a selector`);
  const prefix = [
    access?.kubectl ?? 'kubectl',
    ...(access ? [`--context=${access.context}`] : []),
    ...(namespace !== undefined ? [`--namespace=${namespace}`] : []),
  ];
  const flag = (name: string, v: string | undefined) => (v === undefined ? [] : [`--${name}=${v}`]);
  const sel = flag('selector', selector);
  let args: string[];
  let wait: string[] | undefined;
  switch (verb) {
    case 'get':
      args = ['get', resource, ...sel, ...flag('output', k.output), ...flag('sort-by', k.sort_by && value('sort_by', k.sort_by))];
      break;
    case 'describe':
      args = ['describe', resource, ...sel];
      break;
    case 'logs':
      args = ['logs', ...(typeof k.logs === 'string' ? [resource] : []), ...sel, ...flag('container', k.container && value('container', k.container)),
        ...flag('since', k.since !== undefined ? `${Math.ceil(durationMs(k.since) / 1000)}s` : undefined),
        ...flag('tail', k.tail?.toString()), ...(k.previous ? ['--previous'] : [])];
      break;
    case 'top':
      args = ['top', resource, ...sel, ...flag('sort-by', k.sort_by)];
      break;
    case 'exec': {
      const script = shellScriptIndex(k.command!);
      args = ['exec', resource, ...flag('container', k.container && value('container', k.container)), '--',
        ...k.command!.map((a, i) => sub(a, i === script ? shellQuote : verbatim))];
      break;
    }
    case 'restart':
      args = ['rollout', 'restart', resource];
      wait = [...prefix, 'rollout', 'status', resource];
      break;
    case 'status':
      args = ['rollout', 'status', resource];
      break;
    case 'history':
      args = ['rollout', 'history', resource];
      break;
    case 'undo':
      args = ['rollout', 'undo', resource, ...flag('to-revision', k.to_revision !== undefined ? value('to_revision', String(k.to_revision)) : undefined)];
      break;
    case 'scale':
      args = ['scale', resource, `--replicas=${value('replicas', String(k.replicas))}`];
      break;
    case 'delete':
      args = ['delete', resource, ...sel];
      break;
  }
  const grep = k.grep !== undefined ? renderGrep(k.grep, sub) : undefined;
  return {
    kind: 'kubernetes',
    verb,
    ...(system !== undefined ? { system } : {}),
    ...(access?.local ? { local: true } : access?.host !== undefined ? { host: access.host } : {}),
    ...(access ? { context: access.context } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    resource,
    ...(selector !== undefined ? { selector } : {}),
    argv: [...prefix, ...args],
    ...(verb === 'status' ? { timed: true as const } : {}),
    ...(wait ? { wait } : {}),
    ...(grep !== undefined ? { grep } : {}),
    ...(k.ignore_case ? { ignoreCase: true } : {}),
  };
}
