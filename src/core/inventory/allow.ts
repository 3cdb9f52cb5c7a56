import type { DockerTarget, ResolvedCommand } from '../runs/step-runner.js';
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
  if (c.kind === 'http') return c.via === undefined || inv?.hosts[c.via] ? undefined : `via host "${c.via}" is not in the inventory`;
  if (c.kind !== 'docker') return undefined;
  const engineProblem = inv && onEngineProblem(c.target, inv);
  if (engineProblem) return engineProblem;
  const { container, composeProject: project, composeService: service } = c.target;
  const d = c.target.engine ? undefined : inv?.docker;
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

/** A target on a named engine: the engine exists, and the real names are ones its system maps onto it. */
function onEngineProblem(t: DockerTarget, inv: Inventory): string | undefined {
  const systems = Object.values(inv.systems ?? {}).filter((s) => !s.implicit);
  if (t.engine === undefined) return systems.length ? 'this Docker step names no engine; the inventory describes systems, so render it against the inventory' : undefined;
  const [name, engine] = t.engine.split('/');
  const s = inv.systems?.[name];
  if (!s || !engine || !s.engines[engine]) return `Docker engine "${t.engine}" is not in the inventory`;
  if (t.container !== undefined && s.containers && !Object.values(s.containers).some((c) => c.name === t.container && c.engine === engine))
    return `container "${t.container}" is not one system "${name}" lists on engine "${engine}"`;
  if (t.container === undefined) {
    const p = Object.values(s.projects).find((x) => x.project === t.composeProject && x.engine === engine);
    if (!p) return `compose project "${t.composeProject}" is not one system "${name}" lists on engine "${engine}"`;
    if (t.composeService !== undefined && p.services.length && !p.services.includes(t.composeService))
      return `service "${t.composeService}" is not in compose project "${p.project}" (inventory: ${p.services.join(', ')})`;
  }
  return undefined;
}
