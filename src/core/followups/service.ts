/** Follow-up use-cases: record one on an incident, mark one done. Each is one stored transaction. */
import type { NewEffect } from '../effects.js';
import { CodedError, ErrorCode } from '../errors.js';
import { incidentKey } from '../incidents/incident.js';
import type { Clock, IncidentStore } from '../ports.js';
import { scrubTyped } from '../runs/known-secrets.js';
import { person } from '../said.js';
import type { FollowUpLine } from './lines.js';
import { FOLLOW_UP_MAX, type FollowUp, type FollowUpStore } from './model.js';

export interface FollowUpServiceDeps {
  store: FollowUpStore;
  incidents: IncidentStore;
  clock: Clock;
  /** Called after every stored change, so effects are delivered without waiting for a poll. */
  onEffects?: () => void;
}

const card: NewEffect = { target: 'chat', payload: { type: 'card' } };
const thread = (line: FollowUpLine): NewEffect => ({ target: 'chat', payload: { type: 'thread', line } });

export class FollowUpService {
  constructor(private readonly deps: FollowUpServiceDeps) {}

  async add(incidentId: number, actor: string, text: string, owner: string | null = null): Promise<FollowUp> {
    const body = scrubTyped(text.trim().replace(/\s+/g, ' '));
    if (!body) throw new CodedError(ErrorCode.BadInput, 'The follow-up text is empty.');
    if (body.length > FOLLOW_UP_MAX) throw new CodedError(ErrorCode.BadInput, `The follow-up is ${body.length} characters; the limit is ${FOLLOW_UP_MAX}.`);
    const incident = await this.deps.incidents.get(incidentId);
    if (!incident) throw new CodedError(ErrorCode.NotFound, `There is no ${incidentKey(incidentId)}.`);
    const now = this.deps.clock.now();
    const effects: NewEffect[] = [card, thread({ kind: 'followup-added', actor, owner, text: body })];
    const f = await this.deps.store.add(
      { incidentId, text: body, owner, createdBy: actor, createdAt: now },
      [{ at: now, actor, kind: 'followup', text: `Follow-up${owner ? ` (owner @${owner})` : ''}: ${body}`, data: { action: 'added', owner, text: body } }],
      effects,
    );
    this.deps.onEffects?.();
    return f;
  }

  async done(id: number, actor: string): Promise<FollowUp> {
    const f = await this.deps.store.get(id);
    if (!f) throw new CodedError(ErrorCode.NotFound, `There is no follow-up ${id}.`);
    if (f.doneAt) throw new CodedError(ErrorCode.IllegalTransition, `That follow-up was already marked done by ${person(f.doneBy ?? '')}.`);
    const now = this.deps.clock.now();
    const stored = await this.deps.store.markDone(id, actor, now,
      [{ at: now, actor, kind: 'followup', text: `Follow-up done: ${f.text}`, data: { action: 'done', followUpId: id } }],
      [card, thread({ kind: 'followup-done', actor, text: f.text })],
    );
    if (!stored) {
      const later = await this.deps.store.get(id);
      throw new CodedError(ErrorCode.IllegalTransition, `That follow-up was already marked done by ${person(later?.doneBy ?? '')}.`);
    }
    this.deps.onEffects?.();
    return stored;
  }

  list(incidentId: number): Promise<FollowUp[]> {
    return this.deps.store.forIncident(incidentId);
  }
}
