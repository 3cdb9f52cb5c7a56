// Runs the Dockerfile's steps without Docker (no registry is reachable here): each stage gets a
// folder standing in for its root file system; COPY copies into it, RUN runs in its WORKDIR
// (apt-get lines only check that the packages are installed on this machine), ENV/USER/CMD/
// HEALTHCHECK are read. Then the final stage's CMD is started with its ENV, its HEALTHCHECK must
// pass, and SIGTERM must stop it with exit code 0. Also checks the compose file.
// CHECK_CONTAINER_FAST=1 links this checkout's node_modules instead of running `npm ci`, and skips
// `npm prune` (it would prune the checkout's own node_modules).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

const context = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'opsroom-container-'));
const fast = process.env.CHECK_CONTAINER_FAST === '1';
const fail = (msg) => { throw new Error(msg); };
const say = (msg) => process.stdout.write(`check-container: ${msg}\n`);

/** Dockerfile -> instructions (continuations joined, comments dropped). */
function instructions(text) {
  const out = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!cur && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    cur += (cur ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      const [, op, rest] = /^(\S+)\s*(.*)$/.exec(cur);
      out.push({ op: op.toUpperCase(), args: rest });
      cur = '';
    }
  }
  return out;
}

const rootPath = (root, p) => join(root, p);
const stages = new Map();
let stage;

function checkCompose() {
  const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (probe.status === 0) {
    const env = { ...process.env, SLACK_BOT_TOKEN: 'xoxb-check', SLACK_SIGNING_SECRET: 'check', OPSROOM_INCIDENT_CHANNEL: 'C0CHECK' };
    const r = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '-q'], { encoding: 'utf8', env });
    if (r.status !== 0) fail(`docker compose config: ${r.stderr}`);
    return say('docker-compose.yml: docker compose config ok');
  }
  const doc = parse(readFileSync('docker-compose.yml', 'utf8'));
  const s = doc?.services ?? fail('docker-compose.yml: no services');
  const app = s.opsroom ?? fail('docker-compose.yml: no opsroom service');
  const db = s.postgres ?? fail('docker-compose.yml: no postgres service');
  if (!app.build) fail('docker-compose.yml: opsroom must build from the Dockerfile');
  if (!db.image?.startsWith('postgres')) fail('docker-compose.yml: postgres service needs a postgres image');
  if (!/@postgres:5432\//.test(app.environment?.DATABASE_URL ?? '')) fail('docker-compose.yml: opsroom DATABASE_URL must point at the postgres service');
  if (app.depends_on?.postgres?.condition !== 'service_healthy' || !db.healthcheck) fail('docker-compose.yml: opsroom must wait for a healthy postgres');
  for (const v of Object.values(app.volumes ?? [])) if (typeof v !== 'string' || v.split(':').length < 2) fail(`docker-compose.yml: bad volume ${v}`);
  say('docker-compose.yml: parsed (docker compose plugin not installed), services and wiring ok');
}

function aptCheck(cmd) {
  const install = /apt-get install ([^&;]+)/.exec(cmd);
  const pkgs = install ? install[1].split(/\s+/).filter((w) => w && !w.startsWith('-')) : [];
  const missing = pkgs.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length) fail(`RUN ${cmd}: packages not installed here: ${missing.join(' ')} (apt-get install them)`);
  say(`RUN apt-get: ${pkgs.join(' ')} present`);
}

function copy(args) {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice(7);
  const paths = words.filter((w) => !w.startsWith('--'));
  const dest = paths.pop();
  const base = from ? (stages.get(from) ?? fail(`COPY --from=${from}: no such stage`)).root : context;
  const target = isAbsolute(dest) ? rootPath(stage.root, dest) : join(stage.root, stage.workdir, dest);
  for (const src of paths) {
    const source = from ? rootPath(base, src) : join(base, src);
    if (!existsSync(source)) fail(`COPY ${src}: not found`);
    const into = dest.endsWith('/') || paths.length > 1 ? join(target, src.split('/').pop()) : target;
    mkdirSync(dirname(into), { recursive: true });
    cpSync(source, into, { recursive: true, dereference: false });
  }
}

function run(cmd) {
  if (/apt-get/.test(cmd)) return aptCheck(cmd);
  const cwd = join(stage.root, stage.workdir);
  if (fast && /^npm ci\b/.test(cmd)) {
    symlinkSync(join(context, 'node_modules'), join(cwd, 'node_modules'));
    return say(`RUN ${cmd}: node_modules linked (fast mode)`);
  }
  if (fast && /^npm prune\b/.test(cmd)) return say(`RUN ${cmd}: skipped (fast mode: node_modules is this checkout's, linked)`);
  say(`RUN ${cmd}`);
  const r = spawnSync('sh', ['-c', cmd], { cwd, stdio: 'inherit', env: { ...process.env, ...stage.env } });
  if (r.status !== 0) fail(`RUN ${cmd}: exit ${r.status}`);
}

const freePort = () => new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  checkCompose();
  for (const { op, args } of instructions(readFileSync('Dockerfile', 'utf8'))) {
    if (op === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.size}`;
      stage = { name, root: join(work, name), workdir: '/', env: {}, user: 'root' };
      mkdirSync(stage.root, { recursive: true });
      stages.set(name, stage);
    } else if (op === 'WORKDIR') {
      stage.workdir = args;
      mkdirSync(join(stage.root, args), { recursive: true });
    } else if (op === 'ENV') {
      for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[m[1]] = m[2].replace(/^"|"$/g, '');
    } else if (op === 'COPY') copy(args);
    else if (op === 'RUN') run(args);
    else if (op === 'USER') stage.user = args;
    else if (op === 'CMD') stage.cmd = JSON.parse(args);
    else if (op === 'HEALTHCHECK') stage.health = JSON.parse(args.replace(/^.*?CMD\s+/, ''));
  }
  const final = stage;
  if (!final.user || /^(root|0)(:|$)/.test(final.user)) fail('the final stage must run as a non-root USER');
  if (!final.health) fail('the final stage needs a HEALTHCHECK with an exec-form CMD');
  if (!final.cmd) fail('the final stage needs an exec-form CMD');

  // Start the image's command with its environment; absolute paths point into the stage folder.
  const port = await freePort();
  const env = { ...process.env, ...Object.fromEntries(Object.entries(final.env).map(([k, v]) => [k, v.replace(/(^|:)(\/[^\s:]*)/g, (_m, p, path) => p + join(final.root, path))])) };
  Object.assign(env, { PORT: String(port), OPSROOM_HOST: '127.0.0.1' });
  for (const k of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'PAGERDUTY_TOKEN']) delete env[k];
  const cwd = join(final.root, final.workdir);
  say(`CMD ${final.cmd.join(' ')} (port ${port})`);
  const app = spawn(final.cmd[0], final.cmd.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => app.once('exit', (code, signal) => resolve({ code, signal })));
  app.stdout.resume();
  let healthy = false;
  for (let i = 0; i < 60 && !healthy; i++) {
    await sleep(500);
    healthy = spawnSync(final.health[0], final.health.slice(1), { env, stdio: 'ignore' }).status === 0;
  }
  if (!healthy) { app.kill('SIGKILL'); fail('HEALTHCHECK never passed'); }
  say('HEALTHCHECK passed');
  app.kill('SIGTERM');
  const end = await Promise.race([exited, sleep(15_000).then(() => ({ code: 'timeout' }))]);
  if (end.code !== 0) { app.kill('SIGKILL'); fail(`SIGTERM: expected exit 0, got ${JSON.stringify(end)}`); }
  say('SIGTERM: exited 0');
}

main().then(
  () => { rmSync(work, { recursive: true, force: true }); say('ok'); },
  (e) => { rmSync(work, { recursive: true, force: true }); process.stderr.write(`check-container: FAILED: ${e.message}\n`); process.exit(1); },
);
