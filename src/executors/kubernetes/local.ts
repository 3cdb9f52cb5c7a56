/** Runs kubectl on this machine: execFile semantics (no shell), killed on timeout or abort. */
import { spawn } from 'node:child_process';
import type { RunOptions, StepOutcome } from '#core/runs/step-runner.js';

export function runLocal(argv: string[], options: RunOptions): Promise<StepOutcome> {
  return new Promise((resolve) => {
    let output = '';
    let stopped: 'timeout' | 'abort' | undefined;
    let done = false;
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const emit = (d: Buffer) => {
      const text = d.toString('utf8');
      output += text;
      options.onOutput(text);
    };
    child.stdout.on('data', emit);
    child.stderr.on('data', emit);
    const stop = (why: 'timeout' | 'abort') => {
      if (stopped) return;
      stopped = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), Math.max(0, options.timeoutMs));
    const onAbort = () => stop('abort');
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (r: StepOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    child.once('error', (e) => finish({ exitCode: null, output, timedOut: false, error: `cannot run ${argv[0]}: ${e.message}` }));
    child.once('close', (code) => {
      if (stopped === 'timeout') finish({ exitCode: null, output, timedOut: true });
      else if (stopped === 'abort') finish({ exitCode: null, output, timedOut: false, error: 'cancelled: kubectl was killed' });
      else finish({ exitCode: code, output, timedOut: false });
    });
  });
}
