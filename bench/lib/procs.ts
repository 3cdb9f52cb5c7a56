/** Child processes for benchmarks: TypeScript entry points run by tsx, stopped by their own pid. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Node running a .ts file through tsx (`node --import tsx file`). */
export function spawnTs(file: string, env: NodeJS.ProcessEnv = {}, args: string[] = [], nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, file), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return child;
}

/** A .ts module forked with an IPC channel. */
export function forkTs(file: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = fork(join(ROOT, file), [], { cwd: ROOT, env: { ...process.env, ...env }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return child;
}

/** Resolves with the first stdout line matching `pattern` (its match); keeps draining stdout after. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
    const finish = (e: Error | null, m?: RegExpMatchArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(m!);
    };
    child.stdout!.on('data', (d: Buffer) => {
      if (done) return;
      buf += d.toString();
      for (const line of buf.split('\n')) {
        const m = line.match(pattern);
        if (m) return finish(null, m);
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000); });
    child.once('exit', (code) => finish(new Error(`process exited (${code}) before printing ${pattern}; stderr: ${err.slice(-2000)}`)));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Sends one message over IPC and waits for the reply. */
export function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before answering`));
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    child.once('exit', onExit);
    child.send(message as never);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
