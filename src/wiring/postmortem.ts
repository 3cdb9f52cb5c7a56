/**
 * Wiring of what an incident leaves behind (part of the composition root): follow-ups, and the
 * postmortem draft posted as a file in the thread through the outbox.
 */
import type { WebClient } from '@slack/web-api';
import { FollowUpService } from '#core/followups/service.js';
import type { Clock, IncidentStore, RunStore } from '#core/ports.js';
import type { RunbookText } from '#core/postmortem/language.js';
import { PostmortemService } from '#core/postmortem/service.js';
import type { SlackNotifier } from '#slack/notifier.js';
import { postPostmortem } from '#slack/postmortem-file.js';
import type { KyselyFollowUpStore } from '#store/follow-ups.js';

export interface AfterIncidentSetup {
  client: WebClient;
  store: IncidentStore;
  followUpStore: KyselyFollowUpStore;
  runs: RunStore;
  runbooks: () => readonly RunbookText[];
  clock: Clock;
  kick: () => void;
}

export function createAfterIncident(o: AfterIncidentSetup) {
  const followUps = new FollowUpService({ store: o.followUpStore, incidents: o.store, clock: o.clock, onEffects: o.kick });
  const postmortems = new PostmortemService({
    incidents: o.store, runs: o.runs, followUps: o.followUpStore, runbooks: o.runbooks, clock: o.clock, onEffects: o.kick,
  });
  return {
    followUps, postmortems,
    /** `postmortem` effects are delivered here. */
    deliverOn(notifier: SlackNotifier): void {
      notifier.on('postmortem', (effect, incident) => postPostmortem(o.client, postmortems, effect, incident));
    },
  };
}
