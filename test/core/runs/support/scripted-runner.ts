/** A StepRunner whose behaviour per command is scripted by the test (unit tests of engine logic only). */
import type { ResolvedCommand, RunOptions, StepOutcome, StepRunner } from '#core/runs/step-runner.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';

export type Script = (command: ResolvedCommand, options: RunOptions) => Promise<StepOutcome>;

export class ScriptedRunner implements StepRunner {
  readonly kinds = ['docker', 'ssh', 'http'] as const;
  readonly calls: ResolvedCommand[] = [];
  private readonly scripts = new Map<string, Script>();

  constructor(private readonly fallback: Script = async () => ({ exitCode: 0, output: 'ok\n', timedOut: false })) {}

  /** Behaviour for ssh commands with this exact text (or docker targets / http URLs). */
  on(key: string, script: Script): this {
    this.scripts.set(key, script);
    return this;
  }

  async run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    this.calls.push(command);
    const key = command.kind === 'ssh' ? command.command : command.kind === 'http' ? command.url : command.kind === 'docker' ? `${command.action}:${command.target.container}` : '';
    return (this.scripts.get(key) ?? this.fallback)(command, options);
  }
}

/** Streams the chunks, then exits with the code. */
export const prints = (chunks: string[], exitCode = 0): Script => async (_c, o) => {
  for (const c of chunks) o.onOutput(c);
  return { exitCode, output: chunks.join(''), timedOut: false };
};

/** Runs until aborted, as a real runner would (then reports it was killed). */
export const hangsUntilAborted = (onStart?: () => void): Script => (_c, o) =>
  new Promise((resolve) => {
    onStart?.();
    o.onOutput('started\n');
    if (o.signal.aborted) resolve({ exitCode: null, output: 'started\n', timedOut: true });
    o.signal.addEventListener('abort', () => resolve({ exitCode: null, output: 'started\n', timedOut: true }), { once: true });
  });

/** A broken runner that ignores aborts and never returns. */
export const neverReturns: Script = () => new Promise(() => undefined);

/** Resolves when released by the test. */
export function gate(): { script: Script; release: (o?: Partial<StepOutcome>) => void; started: Promise<void> } {
  let release!: (o?: Partial<StepOutcome>) => void;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const done = new Promise<Partial<StepOutcome> | undefined>((r) => (release = r));
  const script: Script = async () => {
    markStarted();
    const o = await done;
    return { exitCode: 0, output: '', timedOut: false, ...o };
  };
  return { script, release, started };
}

export const step = (id: string, over: Partial<ResolvedStep> = {}): ResolvedStep => ({
  id,
  title: `Step ${id}`,
  command: { kind: 'ssh', host: 'web1', command: `echo ${id}` },
  danger: false,
  timeoutMs: 5000,
  expect: {},
  onFailure: { action: 'stop' },
  redact: false,
  ...over,
});

export const ssh = (command: string, host = 'web1'): ResolvedCommand => ({ kind: 'ssh', host, command });
