import type { ResolvedCommand } from '../runs/step-runner.js';
import { kubernetesProblem } from './kubernetes.js';
import type { Inventory } from './schema.js';

/**
 * The inventory's allow-lists, checked on a rendered command (templates filled in): the lint pass
 * checks literal names, this checks what a parameter turned them into, when the run starts and
 * again when the step runs. Without an inventory, hosts are unknown and Docker targets unlisted.
 */

const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;
const WORKDIR_RE = /^\/[A-Za-z0-9_.@+=,/-]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Why the command may not run against this inventory (undefined: it may). */
export function targetProblem(c: ResolvedCommand, inv: Inventory | undefined): string | undefined {
  if (c.kind === 'ssh') return inv?.hosts[c.host] ? undefined : `host "${c.host}" is not in the inventory`;
  if (c.kind === 'kubernetes') return kubernetesProblem(c, inv);
  if (c.kind !== 'docker') return undefined;
  const { container, composeProject: project, composeService: service } = c.target;
  const d = inv?.docker;
  if (container !== undefined && d?.containers && !d.containers.includes(container))
    return `container "${container}" is not in the inventory (docker.containers)`;
  if (project !== undefined && d?.projects) {
    const p = d.projects[project];
    if (!p) return `compose project "${project}" is not in the inventory (docker.projects)`;
    if (service !== undefined && p.services.length && !p.services.includes(service))
      return `service "${service}" is not in compose project "${project}" (inventory: ${p.services.join(', ')})`;
  }
  if (c.action !== 'exec') return undefined;
  if (c.user !== undefined && !USER_RE.test(c.user)) return `docker user "${c.user}" is not a user name or uid[:gid]`;
  if (c.workdir !== undefined && (!WORKDIR_RE.test(c.workdir) || c.workdir.split('/').includes('..')))
    return `docker workdir "${c.workdir}" is not an absolute path without ".."`;
  for (const [k, v] of Object.entries(c.env ?? {}))
    if (CONTROL_RE.test(v)) return `docker env ${k} holds a control character`;
  return undefined;
}
