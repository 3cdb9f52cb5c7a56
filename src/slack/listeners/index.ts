import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerCardActions } from './actions/card.js';
import { registerEscalate } from './actions/escalate.js';
import { registerFollowUpActions } from './actions/follow-ups.js';
import { registerRecoveryActions } from './actions/recovery.js';
import { registerOncallCommand } from './commands/oncall.js';
import { registerIncidentCommand } from './commands/incident.js';
import { registerSubmissions } from './views/submissions.js';
import { registerRunActions } from './actions/runs.js';
import { registerRunbookCommand } from './commands/runbook.js';
import { registerRunViews } from './views/runs.js';
import { claimsOf, onceMiddleware } from './once.js';
import { TimelineMessages } from '#core/incidents/messages.js';
import { registerThreadMessages } from './events/messages.js';
import { registerShortcuts } from './shortcuts/timeline.js';
import { registerTimelineViews } from './views/timeline.js';

/** Every listener, grouped by surface. */
export function registerListeners(app: App, d: SlackDeps) {
  app.use(onceMiddleware(claimsOf(d)));
  registerIncidentCommand(app, d);
  registerCardActions(app, d);
  registerEscalate(app, d);
  registerFollowUpActions(app, d);
  registerRecoveryActions(app, d);
  registerOncallCommand(app, d);
  registerSubmissions(app, d);
  registerRunbookCommand(app, d);
  registerRunActions(app, d);
  registerRunViews(app, d);
  const messages = new TimelineMessages({ incidents: d.incidents, store: d.store, clock: d.clock, once: claimsOf(d) });
  registerShortcuts(app, d, messages);
  registerTimelineViews(app, d, messages);
  registerThreadMessages(app, d, messages);
}
