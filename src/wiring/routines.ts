/**
 * Wiring of routines (part of the composition root): runs outside incidents in each system's
 * operations channel, and the scheduler that runs routines on their schedules, once across
 * replicas (slots claimed in the database, migration 013).
 */
import { systemsOf, type FileConfig } from '#config/file.js';
import type { IncidentService } from '#core/incidents/service.js';
import type { Clock } from '#core/ports.js';
import { said } from '#core/said.js';
import { systemOfRunbook } from '#core/systems/index.js';
import { operationsChannel, routinesOf, unknownScheduled } from '#core/routines/config.js';
import type { IncidentOpener } from '#core/routines/ports.js';
import { RoutineScheduler } from '#core/routines/scheduler.js';
import { code } from '#slack/blocks/run-card.js';
import { RoutineRuns, SlackRoutineChat } from '#slack/routine-runs.js';
import type { Logger } from '#src/log.js';
import type { Database } from '#store/db.js';
import { KyselyRoutineRuns, KyselySlotStore } from '#store/routines.js';
import type { RemediationWiring } from './remediation.js';

export interface RoutinesSetup {
  file: FileConfig;
  database: Database;
  runs: RemediationWiring;
  incidents: IncidentService;
  clock: Clock;
  owner: string;
  /** Where runs go when their system has no operations channel and the command gives none. */
  fallbackChannel: string;
  log: Logger;
}

export function createRoutines(o: RoutinesSetup) {
  const config = o.file.routines;
  const routineRuns = new KyselyRoutineRuns(o.database);
  const slots = new KyselySlotStore(o.database);
  const remediation = o.runs.remediation;
  const starter = new RoutineRuns({ remediation, bind: (runId, channel, at) => routineRuns.bind(runId, channel, at) });
  const unknown = unknownScheduled(o.runs.catalog(), config);
  if (unknown.length) o.log.warn({ runbooks: unknown }, 'routines.schedules names runbooks that do not exist; they never run');
  const systems = Object.keys(systemsOf(o.file));
  const configured = (name: string | undefined) => systems.find((n) => n.toLowerCase() === name?.toLowerCase()) ?? null;
  const opener: IncidentOpener = {
    async open(i) {
      const { incident } = await o.incidents.open({
        severity: i.severity, title: i.title, summary: i.summary, service: i.service, openedBy: 'opsroom', sourceChannel: i.channel,
        // The runbook's system when opsroom.yml routes it (its channel, names and responders apply).
        system: configured(systemOfRunbook(i.runbookId)),
      });
      await o.incidents.record(incident.id, {
        at: o.clock.now(), actor: 'opsroom', kind: 'run',
        text: `Opened by routine ${code(i.runbookId)}${i.runId !== null ? ` (run ${i.runId})` : ''}: ${said(i.summary.slice(0, 500))}`,
        data: { runId: i.runId, runbookId: i.runbookId, routine: true },
      });
      return { id: incident.id, severity: incident.severity };
    },
  };
  const scheduler = new RoutineScheduler({
    routines: () => routinesOf(o.runs.catalog(), config, o.fallbackChannel), slots, starter, engine: o.runs.engine, runs: o.runs.runs,
    chat: new SlackRoutineChat({ remediation, secrets: remediation.d.secrets }), incidents: opener, clock: o.clock, owner: o.owner,
    graceMs: config.graceMinutes * 60_000, log: o.log,
  });
  let timer: NodeJS.Timeout | undefined;
  const tick = () => scheduler.tick().catch((e) => o.log.warn({ error: String(e) }, 'routine schedule failed'));
  return {
    scheduler, starter, slots, routineRuns,
    upcoming: () => scheduler.upcoming(),
    /** The channel a run outside an incident goes to: the system's operations channel, else `typedIn`. */
    channelFor: (runbookId: string, typedIn: string) => operationsChannel(config, runbookId, typedIn),
    /** Ticks now (reporting missed slots) and then every `routines.tickSeconds`. */
    start(): void {
      void tick();
      timer = setInterval(() => void tick(), config.tickSeconds * 1000);
      timer.unref();
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await scheduler.settle();
    },
  };
}

export type RoutinesWiring = ReturnType<typeof createRoutines>;
