/** opsroom.yml `recovery`: how long and how often a remediation's checks run again. */
import { z } from 'zod';
import { DEFAULT_RECOVERY } from './ports.js';

export const RecoveryConfigSchema = z.strictObject({
  /** How long every check must keep passing after the remediation (minutes). */
  windowMinutes: z.number().positive().max(24 * 60).default(DEFAULT_RECOVERY.windowMinutes),
  /** How often the checks run in that window (minutes; fractions allowed, e.g. 0.5). */
  everyMinutes: z.number().positive().default(DEFAULT_RECOVERY.everyMinutes),
}).refine((r) => r.everyMinutes <= r.windowMinutes, { message: 'everyMinutes must not exceed windowMinutes', path: ['everyMinutes'] })
  .default({ ...DEFAULT_RECOVERY });
