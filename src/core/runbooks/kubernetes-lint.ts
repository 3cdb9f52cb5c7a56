import { hasSystems, kubernetesAccessOf, systemOfRunbook } from '../inventory/kubernetes.js';
import type { Inventory } from '../inventory/schema.js';
import { kubernetesNameFields, kubernetesValueProblem } from './kubectl.js';
import { KUBERNETES_WRITE_VERBS, kubernetesVerbOf } from './kubernetes-step.js';
import type { RunbookStep } from './schema.js';
import { shellScriptIndex } from './templates.js';
import type { Path } from './yaml-source.js';

type Report = (path: Path, message: string) => void;
type Context = 'text' | 'argv' | 'shell' | 'grep';

/** Lint of a kubernetes step: literal names, danger, and the system's access in the inventory. */
export function checkKubernetes(runbookId: string | undefined, step: RunbookStep, at: Path, inv: Inventory | undefined, err: Report): void {
  const k = step.kubernetes!;
  const verb = kubernetesVerbOf(k);
  for (const [field, value] of kubernetesNameFields(k)) {
    if (value.includes('{{')) continue; // checked once rendered
    const problem = kubernetesValueProblem(field, verb, value);
    if (problem) err([...at, field], problem);
  }
  if (step.danger === false && (KUBERNETES_WRITE_VERBS as readonly string[]).includes(verb))
    err([...at.slice(0, -1), 'danger'], `kubectl ${verb} changes the cluster and is always dangerous: remove danger: false`);
  if (verb === 'delete' && !k.delete!.includes('/') && k.selector === undefined)
    err([...at, 'delete'], 'delete needs type/name, or a type with a selector');
  if (!inv || !hasSystems(inv)) return;
  const system = systemOfRunbook(runbookId);
  const access = kubernetesAccessOf(inv, system);
  if (!access) err(at, `system "${system ?? '(none)'}" has no kubernetes access in the inventory (systems.${system ?? '<name>'}.kubernetes)`);
  else if (access.host !== undefined && !inv.hosts[access.host])
    err(at, `kubernetes host "${access.host}" of system "${system}" is not in the inventory`);
}

/** The templated strings of a kubernetes step, with how each is quoted. */
export function kubernetesTemplatedFields(k: NonNullable<RunbookStep['kubernetes']>): { path: Path; value: string; context: Context }[] {
  const out: { path: Path; value: string; context: Context }[] = kubernetesNameFields(k)
    .map(([field, value]) => ({ path: [field], value, context: 'text' as const }));
  if (k.command) {
    const script = shellScriptIndex(k.command);
    k.command.forEach((a, j) => out.push({ path: ['command', j], value: a, context: j === script ? 'shell' : 'argv' }));
  }
  if (k.grep !== undefined) out.push({ path: ['grep'], value: k.grep, context: 'grep' });
  return out;
}
