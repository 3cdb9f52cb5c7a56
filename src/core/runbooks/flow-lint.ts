/** Lint of how steps follow each other and what they expect: `when:`, `retry:`, `expect:` per kind. */
import { stepKind, type Runbook } from './schema.js';
import { KUBERNETES_WRITE_VERBS, kubernetesVerbOf } from './kubernetes-step.js';
import type { Path } from './yaml-source.js';

/** A step that changes nothing: by its kind (logs, GET, a query, kubectl get) or declared read_only. */
function readsOnly(s: Runbook['steps'][number]): boolean {
  if (s.read_only === true || s.prometheus) return true;
  if (s.docker) return s.docker.logs !== undefined || s.docker.ps !== undefined || s.docker.stats !== undefined;
  if (s.http) return ['GET', 'HEAD', 'OPTIONS'].includes(s.http.method);
  if (s.kubernetes) return !['exec', ...KUBERNETES_WRITE_VERBS].includes(kubernetesVerbOf(s.kubernetes));
  return false;
}

type Report = (path: Path, message: string, keyOf?: string) => void;

const refsOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function checkFlow(rb: Runbook, err: Report): void {
  const index = new Map<string, number>();
  rb.steps.forEach((s, i) => {
    if (!index.has(s.id)) index.set(s.id, i);
  });
  rb.steps.forEach((s, i) => {
    const at: Path = ['steps', i];
    const kind = stepKind(s);
    for (const key of ['failed', 'succeeded'] as const) {
      for (const ref of refsOf(s.when?.[key])) {
        const j = index.get(ref);
        if (j === undefined) err([...at, 'when', key], `when ${key}: "${ref}": no such step`);
        else if (j >= i) err([...at, 'when', key], `when ${key}: "${ref}" must be an earlier step`);
      }
    }
    if (s.retry) {
      const writes = s.kubernetes !== undefined && (KUBERNETES_WRITE_VERBS as readonly string[]).includes(kubernetesVerbOf(s.kubernetes));
      if (s.danger || writes) err([...at, 'retry'], `step "${s.id}" is dangerous: it is not retried by itself; remove retry`);
      else if (kind === 'manual' || kind === 'wait' || kind === 'escalate') err([...at, 'retry'], `a ${kind} step has no check to retry; remove retry`);
      else if (!readsOnly(s)) err([...at, 'retry'], `only checks are retried: declare read_only: true if "${s.id}" changes nothing, or remove retry`);
    }
    const e = s.expect;
    if (!e) return;
    if (kind !== 'http')
      for (const k of ['status', 'body_contains'] as const)
        if (e[k] !== undefined) err([...at, 'expect', k], `${k} only applies to http steps`);
    if (s.http && e.status !== undefined && s.http.expect_status !== undefined)
      err([...at, 'http', 'expect_status'], 'give the status once: keep expect.status, remove http.expect_status');
    if (s.http && e.body_contains !== undefined && s.http.expect_body !== undefined)
      err([...at, 'http', 'expect_body'], 'give the body text once: keep expect.body_contains, remove http.expect_body');
  });
}
