/**
 * Executes one resolved step with a deadline: docker/ssh/http through the StepRunner, manual,
 * wait and escalate here. Aborting (deadline, cancel, shutdown) goes to the runner, which kills the
 * remote process; a runner that does not return within a grace period is left behind, so a hung
 * step never holds anyone up.
 */
import type { EscalationContext, Escalator } from './ports.js';
import type { ResolvedStep, StepOutcome, StepRunner } from './step-runner.js';

/** Asks a person whether a manual step's instruction was done. */
export type ManualConfirm = (step: ResolvedStep, signal: AbortSignal) => Promise<boolean>;

export type AbortCause = { kind: 'timeout' } | { kind: 'cancel'; by: string } | { kind: 'shutdown' };

export interface ExecuteDeps {
  runner: StepRunner;
  escalator: Escalator;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long to wait for a runner after aborting it. */
  abortGraceMs: number;
}

export interface ExecuteContext {
  controller: AbortController;
  /** Why the controller was aborted, set by whoever aborted it. */
  cause: () => AbortCause | null;
  onOutput: (chunk: string) => void;
  confirmManual?: ManualConfirm;
  escalation: EscalationContext;
}

/** Resolves after `ms`, or early (without error) when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The deadline of a step: a wait step always gets at least its own pause plus a second. */
function deadlineMs(step: ResolvedStep): number {
  return step.command.kind === 'wait' ? Math.max(step.timeoutMs, step.command.seconds * 1000 + 1000) : step.timeoutMs;
}

/** The deadline of a whole step: with `retry`, every try and the pauses between. */
export function runDeadlineMs(step: ResolvedStep): number {
  const tries = step.retry?.attempts ?? 1;
  return deadlineMs(step) * tries + (step.retry?.everyMs ?? 0) * (tries - 1);
}

const outcome = (exitCode: number | null, output: string, error?: string): StepOutcome => ({ exitCode, output, timedOut: false, error });

async function runInline(step: ResolvedStep, deps: ExecuteDeps, ctx: ExecuteContext): Promise<StepOutcome> {
  const c = step.command;
  const signal = ctx.controller.signal;
  switch (c.kind) {
    case 'wait': {
      await deps.sleep(c.seconds * 1000, signal);
      if (signal.aborted) return outcome(null, '', 'aborted');
      const text = `waited ${c.seconds}s\n`;
      ctx.onOutput(text);
      return outcome(0, text);
    }
    case 'manual': {
      if (!ctx.confirmManual) return outcome(null, '', 'a manual step needs a person to confirm it');
      const done = await ctx.confirmManual(step, signal);
      if (signal.aborted) return outcome(null, '', 'aborted');
      const text = done ? `confirmed by ${ctx.escalation.actor}: ${c.instruction}\n` : `not confirmed: ${c.instruction}\n`;
      ctx.onOutput(text);
      return done ? outcome(0, text) : outcome(1, text, 'not confirmed');
    }
    case 'escalate': {
      const r = await deps.escalator.escalate(c.to, c.reason, ctx.escalation);
      const text = `${r.message}${r.ref ? ` (${r.ref})` : ''}\n`;
      ctx.onOutput(text);
      return outcome(0, text);
    }
    default: {
      if (!deps.runner.kinds.includes(c.kind)) return outcome(null, '', `no executor for ${c.kind} steps is configured`);
      return deps.runner.run(c, { timeoutMs: deadlineMs(step), signal, onOutput: ctx.onOutput });
    }
  }
}

/** Runs the step under its deadline. Never throws: a failure to run is an outcome with `error`. */
export async function executeStep(step: ResolvedStep, deps: ExecuteDeps, ctx: ExecuteContext): Promise<StepOutcome> {
  const signal = ctx.controller.signal;
  let graceTimer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => {
    const onAbort = (): void => {
      graceTimer = setTimeout(() => resolve('abandoned'), deps.abortGraceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  let result: StepOutcome | 'abandoned';
  try {
    // Aborted before it began (shutdown, cancel): nothing is started.
    result = signal.aborted ? outcome(null, '', 'aborted before it started') : await Promise.race([runInline(step, deps, ctx), abandoned]);
  } catch (e) {
    result = outcome(null, '', e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(graceTimer);
  }
  const cause = ctx.cause();
  if (result === 'abandoned') {
    result = outcome(null, '', `the executor did not stop within ${deps.abortGraceMs} ms of being aborted`);
  }
  if (cause?.kind === 'timeout') return { ...result, timedOut: true, error: `timed out after ${deadlineMs(step)} ms` };
  if (cause?.kind === 'cancel') return { ...result, timedOut: false, error: `cancelled by ${cause.by}` };
  if (cause?.kind === 'shutdown') return { ...result, timedOut: false, error: 'interrupted: opsroom is shutting down' };
  return result;
}
