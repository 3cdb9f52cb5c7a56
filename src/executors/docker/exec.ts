/** `docker exec` through the Engine API: argv as given (no shell), output streamed, timeouts kill. */
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { RunOptions, StepOutcome } from '#core/runs/step-runner.js';
import { killExecProcess } from './kill.js';

export interface ExecSpec {
  argv: string[];
  user?: string;
  workdir?: string;
  env?: Record<string, string>;
}

/** How long to wait for the stream to end once the process was killed. */
const AFTER_KILL_MS = 5_000;

export async function runExec(
  docker: Docker, containerId: string, spec: ExecSpec, options: RunOptions, allowLocalKill: boolean,
): Promise<StepOutcome> {
  if (spec.argv.length === 0) return { exitCode: null, output: '', timedOut: false, error: 'exec needs a command' };
  const exec = await docker.getContainer(containerId).exec({
    Cmd: spec.argv,
    AttachStdout: true,
    AttachStderr: true,
    User: spec.user,
    WorkingDir: spec.workdir,
    Env: spec.env && Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
  });
  const stream = await exec.start({ hijack: true, stdin: false });

  let output = '';
  const sink = () => new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = chunk.toString('utf8');
      output += text;
      options.onOutput(text);
      done();
    },
  });
  docker.modem.demuxStream(stream, sink(), sink());
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });

  let stopped: 'timeout' | 'abort' | undefined;
  const stop = new Promise<void>((resolve) => {
    const timer = setTimeout(() => { stopped ??= 'timeout'; resolve(); }, options.timeoutMs);
    const onAbort = () => { stopped ??= 'abort'; resolve(); };
    if (options.signal.aborted) onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    void ended.then(() => { clearTimeout(timer); options.signal.removeEventListener('abort', onAbort); });
  });

  await Promise.race([ended, stop]);
  if (!stopped) return { exitCode: await exitCodeOf(exec), output, timedOut: false };

  const info = await exec.inspect();
  const how = info.Running ? await killExecProcess(docker, containerId, info.Pid, spec.argv, allowLocalKill) : 'local';
  const gone = await Promise.race([ended.then(() => true), delay(AFTER_KILL_MS).then(() => false)]);
  if (!gone) stream.destroy();
  const note = how === 'failed' ? 'could not kill the process in the container' : undefined;
  if (stopped === 'timeout') return { exitCode: null, output, timedOut: true, ...(note && { error: note }) };
  return { exitCode: null, output, timedOut: false, error: note ?? 'cancelled: the process was killed' };
}

/** The stream can end a moment before the engine records the exit code: ask again, soon then less often. */
async function exitCodeOf(exec: Docker.Exec): Promise<number | null> {
  for (let i = 0; ; i++) {
    const info = await exec.inspect();
    if (!info.Running || i >= 60) return info.ExitCode ?? null;
    await delay(Math.min(20, 2 ** i));
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
