import { describeEngine } from '#core/inventory/engines.js';
import type { Inventory } from '#core/inventory/schema.js';
import type { ResolvedCommand } from '#core/runs/step-runner.js';

/** What the dry run shows of where a step lands: engine, project, container, host and URL, as resolved. */
export function resolvedLines(c: ResolvedCommand, inv: Inventory | undefined): string[] {
  const host = (name: string) => {
    const h = inv?.hosts[name];
    return h ? `${name} (${h.user}@${h.address}:${h.port})` : `${name} (not in the inventory)`;
  };
  if (c.kind === 'docker') {
    const t = c.target;
    const [system, engine] = (t.engine ?? '').split('/');
    const spec = engine ? inv?.systems?.[system]?.engines[engine] : undefined;
    const via = spec && 'ssh' in spec ? `, through ${host(String(spec.ssh))}` : '';
    const where = t.engine ? `${t.engine} (${spec ? describeEngine(spec) : 'unknown'}${via})` : 'the default engine (DOCKER_HOST, else /var/run/docker.sock)';
    return [
      `engine:  ${where}`,
      t.container !== undefined ? `container: ${t.container}` : `project: ${t.composeProject ?? '*'}${t.composeService !== undefined ? `, service: ${t.composeService}` : ''}`,
    ];
  }
  if (c.kind === 'ssh') return [`host:    ${host(c.host)}`];
  if (c.kind === 'http') return [`url:     ${c.url}`, ...(c.via ? [`via:     ${host(c.via)} (SSH tunnel: the URL's host is seen from there)`] : [])];
  return [];
}
