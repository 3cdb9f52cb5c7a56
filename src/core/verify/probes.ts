/**
 * The read-only probe of a step's target: a Docker `ps` of its container or compose service, a
 * `command -v` of every program an SSH command starts, the HTTP request itself when it is a GET
 * or HEAD, `kubectl get <resource> -o name` through the step's context and host.
 */
import { shellQuote } from '../runbooks/templates.js';
import type { KubernetesCommand, ResolvedCommand } from '../runs/step-runner.js';
import { programsOf } from './programs.js';

export interface Probe {
  command: ResolvedCommand;
  /** SSH: the programs asked about (the probe prints the missing ones). */
  programs?: string[];
}

export function probeOf(c: ResolvedCommand): Probe | undefined {
  if (c.kind === 'docker') return { command: { kind: 'docker', target: c.target, action: 'ps' } };
  if (c.kind === 'ssh') {
    const programs = programsOf(c.command);
    // Prints each program that is not there; a host that cannot be reached fails before.
    const command = programs.length ? `for p in ${programs.map(shellQuote).join(' ')}; do command -v "$p" >/dev/null 2>&1 || echo "$p"; done; true` : 'true';
    return { command: { kind: 'ssh', host: c.host, command }, programs };
  }
  if (c.kind === 'http' && (c.method === 'GET' || c.method === 'HEAD')) return { command: c };
  if (c.kind === 'kubernetes') return { command: kubernetesGet(c) };
  return undefined;
}

/** `kubectl [--context] [--namespace] get <resource> [--selector] -o name`: the resource exists. */
function kubernetesGet(c: KubernetesCommand): KubernetesCommand {
  let n = 1;
  while (n < c.argv.length && /^--(?:context|namespace)=/.test(c.argv[n])) n++;
  const resource = c.verb === 'logs' && !c.resource.includes('/') && c.resource !== 'pods' ? `pod/${c.resource}` : c.resource;
  const argv = [...c.argv.slice(0, n), 'get', resource, ...(c.selector !== undefined ? [`--selector=${c.selector}`] : []), '--output=name'];
  const { timed: _t, wait: _w, grep: _g, ignoreCase: _i, ...rest } = c;
  return { ...rest, verb: 'get', resource, argv };
}
