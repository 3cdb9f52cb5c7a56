import { said } from '../said.js';
import { CodedError, ErrorCode } from '../errors.js';
import { systemOf, type Inventory } from '../inventory/schema.js';
import type { DockerTarget } from '../runs/step-runner.js';
import { resolveBase, resolveDocker, viaProblem } from './resolve.js';
import type { Runbook, RunbookStep } from './schema.js';
import { urlQuote, verbatim } from './templates.js';

/**
 * Rendering's half of the inventory: a step's logical names become the real project, container,
 * engine, URL and tunnel host of the runbook's system. Without an inventory nothing is mapped.
 */

type Sub = (text: string, quote: (v: string) => string) => string;

/** Hosts no system claims: shared by every system. */
function sharedHosts(inv: Inventory): string[] {
  const owned = new Set(Object.values(inv.systems ?? {}).flatMap((s) => s.hosts));
  return Object.keys(inv.hosts).filter((h) => !owned.has(h));
}

/** A host of another system is refused: a runbook reaches only its own system (and shared hosts). */
export function hostProblem(inv: Inventory, runbookId: string | undefined, host: string): string | undefined {
  const s = systemOf(inv, runbookId);
  if (!s || s.implicit || s.hosts.includes(host) || sharedHosts(inv).includes(host)) return undefined;
  return `host "${host}" belongs to another system than "${s.name}" (its hosts: ${s.hosts.join(', ') || 'none'})`;
}

export function resolveTarget(rb: Runbook, target: DockerTarget, inv: Inventory | undefined): DockerTarget {
  if (!inv) return target;
  const s = systemOf(inv, rb.id);
  if (!s) throw new CodedError(ErrorCode.BadInput, `system "${rb.id?.split('/')[0]}" is not in the inventory (systems:), so its Docker targets cannot be found`);
  const r = resolveDocker(s, { container: target.container, project: target.composeProject, service: target.composeService });
  if (typeof r === 'string') throw new CodedError(ErrorCode.BadInput, r);
  return r;
}

/** The request's final URL and the host it goes through. */
export function httpTarget(rb: Runbook, stepId: string, h: NonNullable<RunbookStep['http']>, sub: Sub, inv: Inventory | undefined): { url: string; via?: string } {
  let url: string;
  let via = h.via;
  if (h.base !== undefined) {
    const b = resolveBase(inv && systemOf(inv, rb.id), h.base);
    if (typeof b === 'string') throw new CodedError(ErrorCode.BadInput, `step ${stepId}: ${b}`);
    // Each {{ param }} in the path is percent-encoded, so it stays inside the path.
    url = b.url + sub(h.path ?? '/', (v) => urlQuote(v));
    via ??= b.via;
  } else url = sub(h.url ?? '', urlQuote);
  if (via !== undefined && inv) {
    if (!inv.hosts[via]) throw new CodedError(ErrorCode.NotFound, `step ${stepId}: via host "${said(sub(via, verbatim))}" is not in the inventory`);
    const p = viaProblem(systemOf(inv, rb.id), via, sharedHosts(inv));
    const s = systemOf(inv, rb.id);
    if (p && !s?.implicit) throw new CodedError(ErrorCode.BadInput, `step ${stepId}: ${p}`);
  }
  return { url, ...(via !== undefined ? { via } : {}) };
}

/** A JSON body is sent as JSON: Content-Type application/json unless the step set one. */
export function withContentType(headers: Record<string, string> | undefined, body: string | undefined): Record<string, string> | undefined {
  if (body === undefined || Object.keys(headers ?? {}).some((k) => k.toLowerCase() === 'content-type')) return headers;
  const t = body.trim();
  if (!/^[[{]/.test(t)) return headers;
  try {
    JSON.parse(t.replace(/\{\{\s*[a-z_][a-z0-9_]*\s*\}\}/g, '0'));
  } catch {
    return headers;
  }
  return { ...headers, 'Content-Type': 'application/json' };
}
