import type { PagerRef } from '#core/ports.js';

/**
 * Which PagerDuty incident belongs to which opsroom incident. The store backs it with a table;
 * `InMemoryPagerLinks` serves tests and the local workspace.
 */
export interface PagerLinks {
  get(incidentId: number): Promise<PagerRef | undefined>;
  set(incidentId: number, ref: PagerRef): Promise<void>;
  /** Reverse lookup for webhooks: the opsroom incident linked to a PagerDuty incident id. */
  findIncident(pagerId: string): Promise<number | undefined>;
}

export class InMemoryPagerLinks implements PagerLinks {
  private readonly byIncident = new Map<number, PagerRef>();

  async get(incidentId: number) {
    return this.byIncident.get(incidentId);
  }
  async set(incidentId: number, ref: PagerRef) {
    this.byIncident.set(incidentId, { ...ref });
  }
  async findIncident(pagerId: string) {
    for (const [id, ref] of this.byIncident) if (ref.id === pagerId) return id;
    return undefined;
  }
}
