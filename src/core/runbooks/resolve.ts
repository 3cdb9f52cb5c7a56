import type { InventorySystem } from '../inventory/systems.js';
import type { DockerTarget } from '../runs/step-runner.js';
import type { TargetFields } from './targets.js';

/**
 * From the names a runbook uses to the real ones its system's inventory entry gives: compose
 * project, container, the engine they live on, HTTP bases and the host a request goes through.
 * Each function returns what it resolved, or a sentence saying why it cannot.
 */

const where = (s: InventorySystem, field: string) => (s.implicit ? `docker.${field}` : `systems.${s.name}.${field}`);

/** The engine key a resolved target carries: `system/engine` (none for the old single engine). */
const engineKey = (s: InventorySystem, engine: string | undefined) => (s.implicit || engine === undefined ? undefined : `${s.name}/${engine}`);

export function resolveDocker(s: InventorySystem, t: TargetFields): DockerTarget | string {
  if (t.container !== undefined) {
    if (!s.containers) {
      if (!s.implicit && !s.defaultEngine) return `container "${t.container}": system "${s.name}" lists no containers and has no default engine`;
      return withEngine({ container: t.container }, engineKey(s, s.defaultEngine));
    }
    const c = s.containers[t.container];
    if (!c) return `container "${t.container}" is not in the inventory (${where(s, 'containers')}: ${Object.keys(s.containers).join(', ') || 'none'})`;
    return withEngine({ container: c.name }, engineKey(s, c.engine));
  }
  if (t.project === undefined) return 'a Docker target needs a container or a compose project';
  const known = Object.keys(s.projects);
  const p = s.projects[t.project];
  if (!p) {
    if (s.implicit && known.length === 0) return withService({ composeProject: t.project }, t.service);
    return `compose project "${t.project}" is not in the inventory (${where(s, 'projects')}: ${known.join(', ') || 'none'})`;
  }
  if (t.service !== undefined && p.services.length && !p.services.includes(t.service))
    return `service "${t.service}" is not in compose project "${t.project}" (inventory: ${p.services.join(', ')})`;
  return withEngine(withService({ composeProject: p.project }, t.service), engineKey(s, p.engine));
}

const withService = (t: DockerTarget, service: string | undefined): DockerTarget =>
  service === undefined ? t : { ...t, composeService: service };
const withEngine = (t: DockerTarget, engine: string | undefined): DockerTarget => (engine === undefined ? t : { ...t, engine });

export interface HttpBase {
  url: string;
  via?: string;
}

/** A base by name: its URL (no trailing slash) and the host it goes through. */
export function resolveBase(s: InventorySystem | undefined, name: string): HttpBase | string {
  if (!s) return `http base "${name}": no inventory describes this runbook's system`;
  const b = s.http[name];
  if (!b) return `http base "${name}" is not in the inventory (${where(s, 'http')}: ${Object.keys(s.http).join(', ') || 'none'})`;
  return { url: b.url.replace(/\/+$/, ''), ...(b.via ? { via: b.via } : {}) };
}

/** A `via` host must belong to the system (or be one every system shares). */
export function viaProblem(s: InventorySystem | undefined, via: string, sharedHosts: readonly string[]): string | undefined {
  if (s && (s.hosts.includes(via) || sharedHosts.includes(via))) return undefined;
  if (!s && sharedHosts.includes(via)) return undefined;
  return `via host "${via}" is not a host of ${s ? `system "${s.name}"` : 'the inventory'}`;
}
