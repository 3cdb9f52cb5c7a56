import type { Effect, EffectPayload } from '#core/effects.js';
import { DeliveryError } from '#core/effects.js';
import type { Incident } from '#core/incidents/incident.js';
import type { Clock, OnCallEntry, Pager, PagerRef } from '#core/ports.js';
import { systemClock } from '#core/ports.js';
import { PagerDutyClient, PagerDutyError } from './client.js';
import type { PagerLinks } from './links.js';
import { escalationTarget } from './escalation.js';
import { onCallFor } from './oncall.js';
import { IncidentEnvelopeSchema, type PdIncident } from './resources.js';
import { PagerDutySettingsSchema, opsroomIncidentKey, type PagerDutySettings, type PagerDutySettingsInput } from './settings.js';

type PayloadOf<T extends EffectPayload['type']> = Extract<EffectPayload, { type: T }>;

const ref = (id: string, type: string) => ({ id, type });

/**
 * The PagerDuty side of the pager port. Every delivery is safe to repeat: trigger is keyed by a
 * stable incident_key, status changes and urgency are set (not toggled).
 */
export class PagerDutyPager implements Pager {
  readonly enabled = true;
  readonly settings: PagerDutySettings;
  readonly client: PagerDutyClient;

  constructor(settings: PagerDutySettingsInput, private readonly links: PagerLinks, private readonly clock: Clock = systemClock) {
    this.settings = PagerDutySettingsSchema.parse(settings);
    this.client = new PagerDutyClient(this.settings);
  }

  incidentKey(incidentId: number) {
    return opsroomIncidentKey(this.settings.incidentKeyPrefix, incidentId);
  }

  /**
   * PagerDuty service id for an incident: its service's (pagerduty.services), else its system's
   * (systems.<name>.pagerduty.service, then pagerduty.services under the system's name), else the default.
   */
  serviceIdFor(service: string | null | undefined, system?: string | null) {
    const { services, systemServices } = this.settings;
    return (service && services[service]) || (system && (systemServices[system] || services[system])) || this.settings.serviceId;
  }

  async deliver(effect: Effect, incident: Incident): Promise<void> {
    const p = effect.payload;
    switch (p.type) {
      case 'pager.trigger':
        await this.trigger(incident, effect.attempts > 0);
        return;
      case 'pager.acknowledge':
        return this.acknowledge(incident);
      case 'pager.resolve':
        return this.resolve(incident, p);
      case 'pager.note':
        return this.note(incident, p.text);
      case 'pager.severity':
        return this.severity(incident, p);
      case 'pager.escalate':
        return this.escalate(incident, p);
      default:
        throw new DeliveryError(`The pager cannot deliver a ${p.type} effect`, false);
    }
  }

  onCall(service?: string): Promise<{ now: OnCallEntry[]; next: OnCallEntry[] }> {
    return onCallFor(this.client, this.settings, this.clock.now(), service);
  }

  /** Creates the PagerDuty incident once; a repeat finds the existing one by incident_key. */
  async trigger(incident: Incident, retry = false): Promise<PagerRef> {
    const known = await this.links.get(incident.id);
    if (known) return known;
    const key = this.incidentKey(incident.id);
    // A retry may follow a request that reached PagerDuty but whose answer was lost.
    const found = retry ? await this.findByKey(key) : undefined;
    if (found) return this.link(incident.id, found);
    const mapping = this.settings.severityMap[incident.severity];
    const urgency = mapping?.urgency ?? this.settings.urgencies[incident.severity];
    const body = {
      incident: {
        type: 'incident',
        title: `[${incident.severity}] ${incident.title}`,
        service: ref(this.serviceIdFor(incident.service, incident.system), 'service_reference'),
        incident_key: key,
        ...(urgency ? { urgency } : {}),
        ...(mapping?.priority ? { priority: ref(mapping.priority, 'priority_reference') } : {}),
      },
    };
    try {
      const data = IncidentEnvelopeSchema.parse(await this.client.request('POST', '/incidents', { body }));
      const linked = await this.link(incident.id, data.incident);
      // The spec types incident.body.details as an object while its own example sends a string,
      // so the details go into a first note instead. Best effort: a lost note must not re-page.
      await this.postNote(data.incident.id, this.details(incident)).catch(() => undefined);
      return linked;
    } catch (e) {
      // PagerDuty refuses a second open incident with the same key: that one is ours.
      if (e instanceof PagerDutyError && e.status === 400) {
        const existing = await this.findByKey(key);
        if (existing) return this.link(incident.id, existing);
      }
      throw e;
    }
  }

  private details(incident: Incident) {
    const lines = [`opsroom incident INC-${incident.id} (${incident.severity}), opened by ${incident.openedBy}`];
    if (incident.service) lines.push(`Service: ${incident.service}`);
    if (incident.summary) lines.push('', incident.summary);
    return lines.join('\n');
  }

  private async link(incidentId: number, pd: Pick<PdIncident, 'id' | 'html_url'>): Promise<PagerRef> {
    const r = { id: pd.id, url: pd.html_url };
    await this.links.set(incidentId, r);
    return r;
  }

  async findByKey(key: string): Promise<PdIncident | undefined> {
    const list = await this.client.list<unknown>('/incidents', 'incidents', { incident_key: key, date_range: 'all' });
    const found = list.map((i) => IncidentEnvelopeSchema.shape.incident.safeParse(i)).find((r) => r.success && r.data.incident_key === key);
    return found?.success ? found.data : undefined;
  }

  /** The linked PagerDuty incident; falls back to the incident_key (e.g. a link lost in a crash). */
  private async linked(incident: Incident): Promise<PagerRef> {
    const known = await this.links.get(incident.id);
    if (known) return known;
    const found = await this.findByKey(this.incidentKey(incident.id));
    if (found) return this.link(incident.id, found);
    throw new DeliveryError(`No PagerDuty incident is linked to INC-${incident.id}`, false);
  }

  private async getIncident(id: string): Promise<PdIncident> {
    return IncidentEnvelopeSchema.parse(await this.client.request('GET', `/incidents/${encodeURIComponent(id)}`)).incident;
  }

  private put(id: string, fields: Record<string, unknown>) {
    return this.client.request('PUT', `/incidents/${encodeURIComponent(id)}`, { body: { incident: { type: 'incident_reference', ...fields } } });
  }

  async acknowledge(incident: Incident) {
    const { id } = await this.linked(incident);
    // Acknowledging a resolved PagerDuty incident would reopen it; only a triggered one moves.
    const current = await this.getIncident(id);
    if (current.status !== 'triggered') return;
    await this.put(id, { status: 'acknowledged' });
  }

  async resolve(incident: Incident, p: PayloadOf<'pager.resolve'>) {
    const { id } = await this.linked(incident);
    try {
      await this.put(id, { status: 'resolved', ...(p.summary ? { resolution: p.summary } : {}) });
    } catch (e) {
      // Already resolved in PagerDuty (by a person there, or an earlier attempt): nothing to do.
      if (!(e instanceof PagerDutyError && e.status === 400) || (await this.getIncident(id)).status !== 'resolved') throw e;
    }
  }

  async note(incident: Incident, text: string) {
    const { id } = await this.linked(incident);
    await this.postNote(id, text);
  }

  private async postNote(pagerId: string, text: string) {
    const content = text.length > 25_000 ? `${text.slice(0, 24_990)}…` : text;
    await this.client.request('POST', `/incidents/${encodeURIComponent(pagerId)}/notes`, { body: { note: { content } } });
  }

  async severity(incident: Incident, p: PayloadOf<'pager.severity'>) {
    const mapping = this.settings.severityMap[p.severity];
    const urgency = mapping?.urgency ?? this.settings.urgencies[p.severity];
    if (!urgency) return; // nothing configured for this level: PagerDuty keeps what it has
    const { id } = await this.linked(incident);
    await this.put(id, { urgency, ...(mapping?.priority ? { priority: ref(mapping.priority, 'priority_reference') } : {}) });
  }

  async escalate(incident: Incident, p: PayloadOf<'pager.escalate'>) {
    const { id } = await this.linked(incident);
    const target = await escalationTarget(this.client, this.settings, await this.getIncident(id), p, this.clock.now());
    await this.put(id, target.fields);
    // The note only says who asked; losing it must not repeat the escalation through a retry.
    await this.postNote(id, `Escalated from opsroom by ${p.actor}: ${target.description}`).catch(() => undefined);
  }
}
