/** The verified-recovery line with its "Move to monitoring" button. */
import { Actions } from '../ids.js';
import { actions, button, section, type Block } from './kit.js';

export const monitoringOffer = (text: string, incidentId: number): Block[] => [
  section(text),
  actions(`recovery.${incidentId}`, [button(Actions.monitoring, 'Move to monitoring', String(incidentId), 'primary')]),
];
