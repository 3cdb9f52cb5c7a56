import { severitiesOf, systemsOf, type FileConfig } from '#config/file.js';
import { SystemRouting } from '#core/systems/index.js';

/** The systems of opsroom.yml (severityAliases folded in), routed from the default incidents channel. */
export const systemRouting = (file: FileConfig, incidentChannel: string) =>
  new SystemRouting({ systems: systemsOf(file), severities: severitiesOf(file), incidentChannel });

/** Channels the local workspace creates so every system's routing can be tried (and the handoff channel). */
export function workspaceChannels(routing: SystemRouting, handoff?: string): { id: string; name: string }[] {
  const out = new Map<string, string>();
  const add = (id: string | undefined, name: string) => id && !out.has(id) && out.set(id, name);
  add(handoff, 'handoff');
  for (const name of routing.names) {
    const c = routing.config(name)!;
    add(c.channel, `${name}-incidents`);
    add(c.announce?.channel, `${name}-announce`);
    add(c.handoff?.channel, `${name}-handoff`);
  }
  return [...out].map(([id, name]) => ({ id, name }));
}

/** system → PagerDuty service id, for the systems that name one. */
export function systemServicesOf(routing: SystemRouting): Record<string, string> {
  return Object.fromEntries(routing.names.flatMap((n) => {
    const service = routing.pagerService(n);
    return service ? [[n, service]] : [];
  }));
}
