/** Gathers an incident's record (timeline, runs with their attempts, follow-ups) and builds its postmortem draft. */
import { CodedError, ErrorCode } from '../errors.js';
import type { FollowUpStore } from '../followups/model.js';
import { incidentKey, type Incident } from '../incidents/incident.js';
import type { Clock, IncidentStore, RunStore } from '../ports.js';
import { buildPostmortem } from './build.js';
import type { Language } from './i18n.js';
import { languageOfSystems, systemOf, type RunbookText } from './language.js';
import type { Postmortem, RunRecord } from './model.js';
import { toJson, toMarkdown } from './render.js';

export interface PostmortemDeps {
  incidents: IncidentStore;
  runs: Pick<RunStore, 'listRuns' | 'steps' | 'attempts'>;
  followUps?: Pick<FollowUpStore, 'forIncident'>;
  /** The runbooks opsroom knows, to read the team's language. */
  runbooks: () => readonly RunbookText[];
  clock: Clock;
  /** Called after a request is stored, so the file is posted without waiting for a poll. */
  onEffects?: () => void;
}

export type PostmortemFormat = 'md' | 'json';

export class PostmortemService {
  constructor(private readonly deps: PostmortemDeps) {}

  /** The draft of an incident, with display names where the caller knows them. */
  async build(incidentId: number, opts: { names?: (users: string[]) => Promise<Record<string, string>>; language?: Language } = {}): Promise<Postmortem> {
    const incident = await this.deps.incidents.get(incidentId);
    if (!incident) throw new CodedError(ErrorCode.NotFound, `There is no ${incidentKey(incidentId)}.`);
    const events = await this.deps.incidents.events(incidentId);
    const runs: RunRecord[] = [];
    for (const run of await this.deps.runs.listRuns({ incidentId, limit: 1000 })) {
      runs.push({ run, steps: await this.deps.runs.steps(run.id), attempts: await this.deps.runs.attempts(run.id) });
    }
    const followUps = (await this.deps.followUps?.forIncident(incidentId)) ?? [];
    // The system's runbooks say which language the team writes in; else those it ran.
    const systems = incident.system ? [incident.system] : [...new Set(runs.map((r) => systemOf(r.run.runbookId)).filter((s): s is string => !!s))];
    const language = opts.language ?? languageOfSystems(systems, this.deps.runbooks());
    const input = { incident, events, runs, followUps, language, now: this.deps.clock.now() };
    const draft = buildPostmortem(input);
    if (!opts.names) return draft;
    const names = await opts.names(draft.participants.map((p) => p.user));
    return buildPostmortem({ ...input, names });
  }

  /** Queues the draft as a file in the incident's thread (built when it is delivered, so it is current). */
  async request(incidentId: number, actor: string): Promise<Incident> {
    const incident = await this.deps.incidents.get(incidentId);
    if (!incident) throw new CodedError(ErrorCode.NotFound, `There is no ${incidentKey(incidentId)}.`);
    await this.deps.incidents.record(incidentId, [], [{ target: 'chat', payload: { type: 'postmortem', by: actor } }]);
    this.deps.onEffects?.();
    return incident;
  }

  async render(incidentId: number, format: PostmortemFormat, opts: Parameters<PostmortemService['build']>[1] = {}): Promise<string> {
    const pm = await this.build(incidentId, opts);
    return format === 'json' ? `${toJson(pm)}\n` : toMarkdown(pm);
  }
}

export const postmortemFileName = (incidentId: number) => `${incidentKey(incidentId)}-postmortem.md`;
