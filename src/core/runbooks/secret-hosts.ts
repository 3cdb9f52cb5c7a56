import { envNameOf } from './params.js';
import type { Runbook, RunbookStep } from './schema.js';
import { scanTemplates } from './templates.js';

/**
 * A secret (a `secret: true` parameter or one read `from: env.NAME`) must not travel to an address
 * a parameter chooses: whoever starts the runbook could point it at their own host. Lint reports
 * it, and rendering refuses it.
 */
export function secretToChosenHost(rb: Runbook, s: RunbookStep): string | undefined {
  // A base's host comes from the inventory, never from a parameter.
  if (!s.http || s.http.url === undefined) return undefined;
  const secret = new Set(Object.entries(rb.params).filter(([, p]) => p.secret || envNameOf(p)).map(([n]) => n));
  if (!secret.size) return undefined;
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(s.http.url)?.[1] ?? s.http.url;
  // An enum is the author's own list of hosts, not the person's choice.
  const chosen = scanTemplates(authority).refs.map((r) => r.name).filter((n) => rb.params[n]?.type !== 'enum');
  if (!chosen.length) return undefined;
  const sent = [s.http.url, s.http.body ?? '', ...Object.values(s.http.headers ?? {})].flatMap((t) => scanTemplates(t).refs.map((r) => r.name));
  const leaked = sent.find((n) => secret.has(n));
  return leaked
    ? `step "${s.id}" sends the secret "${leaked}" to a host chosen by the parameter "${chosen[0]}": fix the host, or make "${chosen[0]}" an enum of the allowed hosts`
    : undefined;
}
