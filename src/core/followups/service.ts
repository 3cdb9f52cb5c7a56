/** Follow-up use-cases: record one on an incident, mark one done. Each is one stored transaction. */
import type { NewEffect } from '../effects.js';
import { CodedError, ErrorCode } from '../errors.js';
import { incidentKey } from '../incidents/incident.js';
import type { Clock, IncidentStore } from '../ports.js';
import { scrubTyped } from '../runs/known-secrets.js';
import { said } from '../said.js';
import { FOLLOW_UP_MAX, type FollowUp, type FollowUpStore } from './model.js';

export interface FollowUpServiceDeps {
  store: FollowUpStore;
  incidents: IncidentStore;
  clock: Clock;
  /** Called after every stored change, so effects are delivered without waiting for a poll. */
  onEffects?: () => void;
}

const card: NewEffect = { target: 'chat', payload: { type: 'card' } };
const thread = (text: string): NewEffect => ({ target: 'chat', payload: { type: 'thread', text } });

export class FollowUpService {
  constructor(private readonly deps: FollowUpServiceDeps) {}

  async add(incidentId: number, actor: string, text: string, owner: string | null = null): Promise<FollowUp> {
    const body = scrubTyped(text.trim().replace(/\s+/g, ' '));
    if (!body) throw new CodedError(ErrorCode.BadInput, 'The follow-up text is empty.');
    if (body.length > FOLLOW_UP_MAX) throw new CodedError(ErrorCode.BadInput, `The follow-up is ${body.length} characters; the limit is ${FOLLOW_UP_MAX}.`);
    const incident = await this.deps.incidents.get(incidentId);
    if (!incident) throw new CodedError(ErrorCode.NotFound, `There is no ${incidentKey(incidentId)}.`);
    const now = this.deps.clock.now();
    const who = owner ? ` (owner <@${owner}>)` : '';
    const effects: NewEffect[] = [card, thread(`:pushpin: <@${actor}> added a follow-up${who}: ${said(body)}`)];
    const f = await this.deps.store.add(
      { incidentId, text: body, owner, createdBy: actor, createdAt: now },
      [{ at: now, actor, kind: 'followup', text: `Follow-up${who}: ${body}`, data: { action: 'added', owner } }],
      effects,
    );
    this.deps.onEffects?.();
    return f;
  }

  async done(id: number, actor: string): Promise<FollowUp> {
    const f = await this.deps.store.get(id);
    if (!f) throw new CodedError(ErrorCode.NotFound, `There is no follow-up ${id}.`);
    if (f.doneAt) throw new CodedError(ErrorCode.IllegalTransition, `That follow-up was already marked done by <@${f.doneBy}>.`);
    const now = this.deps.clock.now();
    const stored = await this.deps.store.markDone(id, actor, now,
      [{ at: now, actor, kind: 'followup', text: `Follow-up done: ${f.text}`, data: { action: 'done', followUpId: id } }],
      [card, thread(`:ballot_box_with_check: <@${actor}> marked a follow-up done: ${said(f.text)}`)],
    );
    if (!stored) {
      const later = await this.deps.store.get(id);
      throw new CodedError(ErrorCode.IllegalTransition, `That follow-up was already marked done by <@${later?.doneBy}>.`);
    }
    this.deps.onEffects?.();
    return stored;
  }

  list(incidentId: number): Promise<FollowUp[]> {
    return this.deps.store.forIncident(incidentId);
  }
}
