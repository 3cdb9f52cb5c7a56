import { z } from 'zod';

/**
 * How opsroom reaches a system's Kubernetes cluster: kubectl with a fixed context and default
 * namespace, run on a bastion over SSH (the host's pinned key is checked like every SSH host), or
 * on opsroom's own machine with `local: true`. Steps never choose the context.
 */

/** What this file reads of an inventory (schema.ts imports this file, so not its Inventory type). */
type Inventory = { hosts: Record<string, unknown> };

/** A Kubernetes namespace: an RFC 1123 DNS label. */
export const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A kubeconfig context name: printable, no spaces, never an option. */
const CONTEXT_RE = /^[A-Za-z0-9_@:.][A-Za-z0-9_@:./-]*$/;

export const KubernetesAccessSchema = z
  .strictObject({
    host: z.string().min(1).optional().describe('Inventory SSH host (the bastion) where kubectl runs.'),
    context: z.string().regex(CONTEXT_RE, 'a kubectl context name: letters, digits, "_", "@", ":", ".", "/", "-", not starting with "-"'),
    namespace: z.string().regex(NAMESPACE_RE, 'a namespace is a DNS label: lowercase letters, digits and "-", at most 63').describe('Default namespace of the steps.'),
    local: z.boolean().default(false).describe('Run kubectl on opsroom\'s machine instead of over SSH.'),
    kubectl: z
      .string()
      .regex(/^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/, 'kubectl is a program name or path')
      .default('kubectl')
      .describe('The kubectl program (default: kubectl on PATH).'),
  })
  .refine((k) => k.local || k.host !== undefined, { message: 'kubernetes needs `host` (the bastion) or `local: true`', path: ['host'] })
  .refine((k) => !(k.local && k.host !== undefined), { message: 'give `host` or `local: true`, not both', path: ['local'] })
  .describe('kubectl access to the system\'s cluster: { host, context, namespace } or { local: true, context, namespace }.');

export type KubernetesAccess = z.infer<typeof KubernetesAccessSchema>;

/** The system a runbook id names: its first folder. */
export const systemOfRunbook = (runbookId: string | undefined): string | undefined =>
  runbookId?.includes('/') ? runbookId.split('/')[0] : undefined;

/** The Kubernetes access of a system in the inventory, if it has one. */
export function kubernetesAccessOf(inv: Inventory | undefined, system: string | undefined): KubernetesAccess | undefined {
  if (!inv || system === undefined) return undefined;
  const systems = (inv as { systems?: Record<string, { kubernetes?: KubernetesAccess } | undefined> }).systems;
  return systems?.[system]?.kubernetes;
}

/** Whether the inventory describes systems at all (the old single-engine shape does not). */
export function hasSystems(inv: Inventory | undefined): boolean {
  const systems = (inv as { systems?: Record<string, { implicit?: boolean }> } | undefined)?.systems;
  return !!systems && !Object.values(systems).some((s) => s.implicit);
}

/** Why a kubectl command may not run against this inventory (undefined: it may). */
export function kubernetesProblem(c: { system?: string; host?: string; local?: boolean }, inv: Inventory | undefined): string | undefined {
  const access = kubernetesAccessOf(inv, c.system);
  // An inventory without systems (the old shape) renders the step; the executor refuses to run it.
  if (!access && !hasSystems(inv)) return undefined;
  if (!access) return `system "${c.system ?? '(none: the runbook is not in a system folder)'}" has no kubernetes access in the inventory (systems.${c.system ?? '<name>'}.kubernetes)`;
  if (access.local ? c.local !== true : c.host !== access.host) return `kubectl for "${c.system}" must run where the inventory says (${access.local ? 'locally' : `on ${access.host}`})`;
  if (!access.local && !inv!.hosts[access.host!]) return `kubernetes host "${access.host}" of system "${c.system}" is not in the inventory`;
  return undefined;
}
