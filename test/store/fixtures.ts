import type { NewIncident } from '#core/incidents/incident.js';
import type { NewEvent } from '#core/incidents/timeline.js';

export const T0 = new Date('2026-03-01T10:00:00.123Z');
export const at = (ms: number) => new Date(T0.getTime() + ms);

export const newIncident = (over: Partial<NewIncident> = {}): NewIncident => ({
  title: 'Checkout API down',
  severity: 'P1',
  commander: 'U1',
  openedBy: 'U1',
  summary: null,
  service: null,
  channel: 'CINC',
  sourceChannel: 'CSRC',
  createdAt: T0,
  ...over,
});

export const event = (text: string, when = T0, over: Partial<NewEvent> = {}): NewEvent => ({
  at: when,
  actor: 'U1',
  kind: 'update',
  text,
  data: null,
  ...over,
});
