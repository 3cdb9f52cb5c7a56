/** Breaking and fixing demo services: real failures a runbook's diagnostics can see. */
import type Docker from 'dockerode';
import type { Endpoint, ServiceSpec } from './services.js';

export const BREAK_MODES = ['stopped', 'unhealthy', 'errors', 'memory'] as const;
export type BreakMode = (typeof BREAK_MODES)[number];

const REDIS_BROKEN_PASSWORD = 'demo-broken';

export async function applyBreak(docker: Docker, e: Endpoint, s: ServiceSpec, mode: BreakMode): Promise<void> {
  const c = docker.getContainer(e.container);
  if (mode === 'stopped') {
    await c.stop({ t: 2 }).catch(ignore304);
    return;
  }
  await ensureRunning(c);
  if (mode === 'errors') {
    await exec(c, ['touch', '/run/demo/errors']);
    await until(async () => (await logs(c)).includes(s.errorLine), 10_000, `${e.container} did not start logging errors`);
  } else if (mode === 'memory') {
    await exec(c, ['touch', '/run/demo/memory']);
    await until(async () => (await exec(c, ['cat', '/run/demo/hog.pid'], true)).code === 0, 10_000, `${e.container}: memory hog did not start`);
    await new Promise((r) => setTimeout(r, 1_000)); // let dd fill its buffer
  } else {
    if (s.image === 'web') await exec(c, ['touch', '/run/demo/unhealthy']);
    if (s.image === 'redis') await exec(c, ['redis-cli', 'CONFIG', 'SET', 'requirepass', REDIS_BROKEN_PASSWORD]);
    if (s.image === 'postgres') await exec(c, ['sh', '-c', 'kill -STOP "$(head -1 /var/lib/postgresql/data/postmaster.pid)"']);
    if (s.image === 'prometheus' || s.image === 'alertmanager') await exec(c, ['sh', '-c', 'kill -STOP "$(cat /run/demo/service.pid)"']);
    await waitHealth(docker, e.container, 'unhealthy', 30_000);
  }
}

/** Undoes every mode (whatever was broken), starts the container if needed, waits for healthy. */
export async function applyFix(docker: Docker, e: Endpoint, s: ServiceSpec): Promise<void> {
  const c = docker.getContainer(e.container);
  const info = await c.inspect();
  if (!info.State.Running) {
    await c.start().catch(ignore304);
  } else {
    await exec(c, ['rm', '-f', '/run/demo/unhealthy', '/run/demo/errors', '/run/demo/memory']);
    if (s.image === 'redis') {
      const plain = await exec(c, ['redis-cli', 'CONFIG', 'SET', 'requirepass', ''], true);
      if (!plain.output.includes('OK')) {
        await exec(c, ['redis-cli', '--no-auth-warning', '-a', REDIS_BROKEN_PASSWORD, 'CONFIG', 'SET', 'requirepass', '']);
      }
    }
    if (s.image === 'postgres') await exec(c, ['sh', '-c', 'kill -CONT "$(head -1 /var/lib/postgresql/data/postmaster.pid)"']);
    if (s.image === 'prometheus' || s.image === 'alertmanager') await exec(c, ['sh', '-c', 'kill -CONT "$(cat /run/demo/service.pid)"']);
    await until(async () => (await exec(c, ['test', '-e', '/run/demo/hog.pid'], true)).code !== 0, 10_000, `${e.container}: memory hog still running`);
  }
  await waitHealth(docker, e.container, 'healthy', 60_000);
}

export async function waitHealth(docker: Docker, name: string, want: 'healthy' | 'unhealthy', ms: number): Promise<void> {
  let last = '';
  await until(async () => {
    const s = (await docker.getContainer(name).inspect()).State;
    last = s.Running ? s.Health?.Status ?? 'no health check' : s.Status;
    return last === want;
  }, ms, () => `${name} is ${last}, not ${want}`);
}

async function ensureRunning(c: Docker.Container): Promise<void> {
  if (!(await c.inspect()).State.Running) throw new Error(`${(await c.inspect()).Name.slice(1)} is not running; fix it first`);
}

async function exec(c: Docker.Container, argv: string[], tolerate = false): Promise<{ code: number | null; output: string }> {
  const x = await c.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
  const stream = await x.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  await new Promise((r) => { stream.on('end', r); stream.on('close', r); });
  let info = await x.inspect();
  for (let i = 0; i < 50 && info.Running; i++) { await new Promise((r) => setTimeout(r, 20)); info = await x.inspect(); }
  const output = Buffer.concat(chunks).toString('utf8');
  if (!tolerate && info.ExitCode !== 0) throw new Error(`${argv.join(' ')} failed (${info.ExitCode}): ${output}`);
  return { code: info.ExitCode, output };
}

async function logs(c: Docker.Container): Promise<string> {
  const raw = (await c.logs({ stdout: true, stderr: true, tail: 20, follow: false })) as unknown as Buffer;
  return raw.toString('utf8');
}

async function until(check: () => Promise<boolean>, ms: number, message: string | (() => string)): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(typeof message === 'string' ? message : message());
}

function ignore304(e: unknown): void {
  if ((e as { statusCode?: number }).statusCode !== 304) throw e;
}
