/** Recovery verification thread lines as mrkdwn. */
import { formatDuration } from '#core/incidents/format.js';
import type { RecoveryLine } from '#core/recovery/lines.js';
import { said } from '#core/said.js';
import { type Renderers, tick } from './render.js';

const hhmm = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;
const ticks = (names: string[]) => names.map(tick).join(', ');

export const recoveryLines: Renderers<RecoveryLine> = {
  'recovery-watch': (l) =>
    `:stethoscope: ${tick(l.stepId)} succeeded. Checking ${ticks(l.checks)} every ${formatDuration(l.everyMs)} for ${formatDuration(l.windowMs)} to verify the recovery.`,
  'recovery-failed': (l) =>
    `:warning: ${l.again ? 'regressed' : 'not recovered'} at ${hhmm(l.at)}: ${said(l.failure)} ${l.again ? 'failed again' : 'failed'} after ${tick(l.stepId)} (run ${l.runId}).`,
  recovered: (l) =>
    `:white_check_mark: Recovered at ${hhmm(l.at)} (verified ${formatDuration(l.verifiedMs)}): ${ticks(l.checks)} passed every round after ${tick(l.stepId)}.`,
};
