import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerCardActions } from './actions/card.js';
import { registerIncidentCommand } from './commands/incident.js';
import { registerSubmissions } from './views/submissions.js';

/** Every listener, grouped by surface. */
export function registerListeners(app: App, d: SlackDeps) {
  registerIncidentCommand(app, d);
  registerCardActions(app, d);
  registerSubmissions(app, d);
}
