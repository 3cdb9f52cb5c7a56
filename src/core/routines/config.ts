/**
 * opsroom.yml `routines`: each system's operations channel (where its routines and runs outside
 * incidents post), and schedules for runbooks that do not carry their own (or to override them).
 */
import { z } from 'zod';
import type { Routine } from './ports.js';
import { ScheduleSchema } from './schedule.js';

const ChannelId = z.string().regex(/^[CG][A-Z0-9]+$/, { error: 'expected a channel ID like C0123ABCD' });

export const RoutinesConfigSchema = z.strictObject({
  /** System name (the runbook id's first segment) -> its operations channel. */
  channels: z.record(z.string().min(1), ChannelId).default({}),
  /** Runbook id -> schedule; wins over the runbook's own `schedule:`. */
  schedules: z.record(z.string().min(1), ScheduleSchema).default({}),
  /** How often each replica looks for due slots (seconds, default 15). */
  tickSeconds: z.number().positive().default(15),
  /** A slot first seen later than this after its time is reported missed, not run (minutes, default 10). */
  graceMinutes: z.number().positive().default(10),
});
export type RoutinesConfig = z.infer<typeof RoutinesConfigSchema>;
export const DEFAULT_ROUTINES_CONFIG: RoutinesConfig = { channels: {}, schedules: {}, tickSeconds: 15, graceMinutes: 10 };

const systemOf = (runbookId: string): string => runbookId.split('/')[0];

/** Where a system's runs outside incidents go: its operations channel, else `fallback`. */
export function operationsChannel(c: RoutinesConfig, runbookId: string, fallback: string): string {
  return c.channels[systemOf(runbookId)] ?? fallback;
}

/** The routines of a catalog: runbooks with a schedule (opsroom.yml's wins), with their channel. */
export function routinesOf(
  catalog: readonly { id: string; title: string; schedule?: z.infer<typeof ScheduleSchema> }[],
  c: RoutinesConfig,
  fallbackChannel: string,
): Routine[] {
  const out: Routine[] = [];
  for (const rb of catalog) {
    const schedule = c.schedules[rb.id] ?? rb.schedule;
    if (!schedule) continue;
    out.push({ runbookId: rb.id, title: rb.title, system: systemOf(rb.id), schedule, channel: schedule.channel ?? operationsChannel(c, rb.id, fallbackChannel) });
  }
  return out;
}

/** Schedules in opsroom.yml for runbooks that do not exist (a typo would silently never run). */
export function unknownScheduled(catalog: readonly { id: string }[], c: RoutinesConfig): string[] {
  const ids = new Set(catalog.map((r) => r.id));
  return Object.keys(c.schedules).filter((id) => !ids.has(id));
}
