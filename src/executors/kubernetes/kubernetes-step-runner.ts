/**
 * KubernetesStepRunner: runs a rendered kubectl argv on the system's bastion through the SSH runner
 * (each element shell-quoted, so the remote shell only splits words) or on this machine without a
 * shell. `rollout status` gets `--timeout=` the rest of the step's timeout, so kubectl reports a slow
 * rollout itself before opsroom has to kill it.
 */
import type { KubernetesCommand, ResolvedCommand, RunOptions, StepKind, StepOutcome, StepRunner } from '#core/runs/step-runner.js';
import { grepMatcher } from '../docker/logs.js';
import { shellQuote } from '../ssh/remote-command.js';
import { runLocal } from './local.js';

export type ArgvRunner = (argv: string[], options: RunOptions) => Promise<StepOutcome>;

/** Time kept back from `--timeout=` for the SSH round trip, so kubectl ends first. */
const MARGIN_MS = 2_000;
/** Lines kept from filtered-out log output, shown when kubectl itself failed. */
const UNMATCHED_TAIL = 20;

/** The remote command line for an argv: every element single-quoted. */
export const remoteCommandOf = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

export class KubernetesStepRunner implements StepRunner {
  readonly kinds: readonly StepKind[] = ['kubernetes'];

  /** `ssh`: the SSH runner whose pooled, host-key-checked connections reach the bastions. */
  constructor(private readonly ssh: StepRunner | undefined, private readonly local: ArgvRunner = runLocal) {}

  async run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    if (command.kind !== 'kubernetes') return failed(`KubernetesStepRunner cannot run a ${command.kind} step`);
    const c = command;
    if (c.host === undefined && !c.local)
      return failed(`system "${c.system ?? '?'}" has no kubernetes access in the inventory (systems.${c.system ?? '<name>'}.kubernetes)`);
    if (c.host !== undefined && !this.ssh) return failed('no SSH executor to reach the kubernetes bastion');
    const deadline = Date.now() + options.timeoutMs;
    const filter = c.grep !== undefined ? new LineFilter(grepMatcher(c.grep, c.ignoreCase ?? false), options.onOutput) : undefined;
    const opts = (timeoutMs: number): RunOptions => ({ timeoutMs, signal: options.signal, onOutput: filter ? (t) => filter.feed(t) : options.onOutput });
    const once = (argv: string[]) => this.exec(c, argv, opts(Math.max(0, deadline - Date.now())));
    const timed = (argv: string[]) => {
      const seconds = Math.floor((deadline - Date.now() - MARGIN_MS) / 1000);
      if (seconds < 1) return Promise.resolve<StepOutcome>({ exitCode: null, output: '', timedOut: true, error: 'no time left in the step for rollout status' });
      return once([...argv, `--timeout=${seconds}s`]);
    };
    let outcome = c.timed ? await timed(c.argv) : await once(c.argv);
    if (c.wait && outcome.exitCode === 0 && !outcome.error && !outcome.timedOut) {
      const first = outcome.output;
      outcome = await timed(c.wait);
      outcome = { ...outcome, output: first + outcome.output };
    }
    if (!filter) return outcome;
    const ok = outcome.exitCode === 0 && !outcome.error && !outcome.timedOut;
    return { ...outcome, output: filter.end(!ok) };
  }

  private exec(c: KubernetesCommand, argv: string[], options: RunOptions): Promise<StepOutcome> {
    if (c.local) return this.local(argv, options);
    return this.ssh!.run({ kind: 'ssh', host: c.host!, command: remoteCommandOf(argv) }, options);
  }
}

/** Passes on whole lines that match; keeps the tail of the others for when kubectl failed. */
class LineFilter {
  private pending = '';
  private kept = '';
  private unmatched: string[] = [];

  constructor(private readonly match: (line: string) => boolean, private readonly out: (text: string) => void) {}

  feed(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop()!;
    for (const line of lines) this.line(line);
  }

  /** The kept output; on failure followed by the last lines that did not match (kubectl's error). */
  end(failed: boolean): string {
    if (this.pending) this.line(this.pending);
    this.pending = '';
    if (failed && this.unmatched.length) {
      const tail = `${this.unmatched.join('\n')}\n`;
      this.kept += tail;
      this.out(tail);
    }
    return this.kept;
  }

  private line(line: string): void {
    if (this.match(line)) {
      this.kept += `${line}\n`;
      this.out(`${line}\n`);
    } else {
      this.unmatched.push(line);
      if (this.unmatched.length > UNMATCHED_TAIL) this.unmatched.shift();
    }
  }
}

function failed(error: string): StepOutcome {
  return { exitCode: null, output: '', timedOut: false, error };
}
