/** DockerStepRunner: the Docker step kind through the Engine API (dockerode). */
import Docker from 'dockerode';
import { isCoded } from '#core/errors.js';
import type { ResolvedCommand, RunOptions, StepKind, StepOutcome, StepRunner } from '#core/runs/step-runner.js';
import { ContainerIndex } from './container-index.js';
import { runExec } from './exec.js';
import { readLogs } from './logs.js';
import { psTable, statsTable } from './stats.js';
import { findAll, findOne, unavailable, type Found } from './targets.js';

export interface DockerStepRunnerOptions {
  /** Defaults to dockerode's own defaults: DOCKER_HOST, else /var/run/docker.sock. */
  docker?: Docker;
  /**
   * Kill a timed-out exec through this machine's /proc when the engine runs here (default true).
   * false forces the in-container `kill` exec, the way used for a remote engine.
   */
  localKill?: boolean;
  /** Engines by the key resolved targets carry (`system/engine`); a target without one uses `docker`. */
  engines?: Record<string, { docker: Docker; localKill: boolean; error?: string }>;
}

type DockerCommand = Extract<ResolvedCommand, { kind: 'docker' }>;

export class DockerStepRunner implements StepRunner {
  readonly kinds: readonly StepKind[] = ['docker'];
  private readonly docker: Docker;
  private readonly localKill: boolean;
  private readonly engines: NonNullable<DockerStepRunnerOptions['engines']>;
  /** Per engine: its containers, kept current from its event stream (exec steps find theirs there). */
  private readonly indexes = new Map<Docker, ContainerIndex>();

  constructor(options: DockerStepRunnerOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.localKill = options.localKill ?? true;
    this.engines = options.engines ?? {};
  }

  async run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    if (command.kind !== 'docker') return failed(`DockerStepRunner cannot run a ${command.kind} step`);
    const key = command.target.engine;
    if (key === undefined) return this.on(this.docker, this.localKill, command, options);
    const engine = this.engines[key];
    if (!engine) return failed(`Docker engine "${key}" is not configured (inventory: ${Object.keys(this.engines).join(', ') || 'no engines'})`);
    if (engine.error) return failed(engine.error);
    return this.on(engine.docker, engine.localKill, command, options);
  }

  private async on(docker: Docker, localKill: boolean, command: DockerCommand, options: RunOptions): Promise<StepOutcome> {
    try {
      if (command.action === 'exec') {
        // The step's timeout covers finding the container too (an engine that never answers).
        const started = Date.now();
        let one: Awaited<ReturnType<typeof findOne>> | undefined;
        const lookup = await withDeadline(options, async () => {
          one = await findOne(docker, command.target, this.indexOf(docker));
          return { exitCode: 0, output: '', timedOut: false };
        });
        if (!one) return lookup;
        if (one.state !== 'running') return failed(`Container ${one.name} is not running (${one.state})`);
        const left = Math.max(1, options.timeoutMs - (Date.now() - started));
        return await runExec(docker, one.id, command, { ...options, timeoutMs: left }, localKill);
      }
      return await withDeadline(options, async () => {
        const found = await findAll(docker, command.target);
        const result = await this.control(docker, command, found);
        options.onOutput(result.output);
        return result;
      });
    } catch (e) {
      if (isCoded(e)) return failed(e.message);
      return failed(unavailable(e).message);
    }
  }

  private async control(docker: Docker, c: DockerCommand, found: Found[]): Promise<StepOutcome> {
    switch (c.action) {
      case 'logs':
        return { exitCode: 0, output: await readLogs(docker, found, c), timedOut: false };
      case 'stats': {
        const t = await statsTable(docker, found);
        return { exitCode: t.allHealthy ? 0 : 1, output: t.text, timedOut: false };
      }
      case 'ps': {
        const t = psTable(found);
        return { exitCode: t.allHealthy ? 0 : 1, output: t.text, timedOut: false };
      }
      case 'restart': case 'stop': case 'start': {
        const lines: string[] = [];
        try {
          for (const f of found) lines.push(await this.lifecycle(docker, c.action, f, c.timeoutSeconds));
        } finally {
          this.indexes.get(docker)?.changed();
        }
        return { exitCode: 0, output: lines.join('\n') + '\n', timedOut: false };
      }
      case 'exec':
        throw new Error('unreachable');
    }
  }

  async close(): Promise<void> {
    for (const index of this.indexes.values()) index.close();
    this.indexes.clear();
  }

  private indexOf(docker: Docker): ContainerIndex {
    let index = this.indexes.get(docker);
    if (!index) this.indexes.set(docker, (index = new ContainerIndex(docker)));
    return index;
  }

  private async lifecycle(docker: Docker, action: 'restart' | 'stop' | 'start', f: Found, t?: number): Promise<string> {
    const container = docker.getContainer(f.id);
    const opts = t === undefined ? {} : { t };
    try {
      if (action === 'restart') await container.restart(opts);
      else if (action === 'stop') await container.stop(opts);
      else await container.start();
      const verb = { restart: 'Restarted', stop: 'Stopped', start: 'Started' }[action];
      return `${verb} ${f.name}`;
    } catch (e) {
      // 304: already in the requested state.
      if ((e as { statusCode?: number }).statusCode === 304) return `${f.name} was already ${action === 'start' ? 'running' : 'stopped'}`;
      throw e;
    }
  }
}

function failed(error: string): StepOutcome {
  return { exitCode: null, output: '', timedOut: false, error };
}

/** Control actions cannot be killed half way; past the deadline the step reports a timeout. */
async function withDeadline(options: RunOptions, work: () => Promise<StepOutcome>): Promise<StepOutcome> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<StepOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ exitCode: null, output: '', timedOut: true }), options.timeoutMs);
    onAbort = () => resolve({ ...failed('cancelled'), output: '' });
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal.removeEventListener('abort', onAbort);
  }
}
