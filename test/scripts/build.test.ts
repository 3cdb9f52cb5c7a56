/**
 * The compiled build (scripts/build.mjs, scripts/start.mjs, bin/opsroom.js) in a copy of this
 * checkout: dist/ gets the modules and the files they read at run time, the CLI runs compiled
 * while dist/ is current and from the sources once it is stale, and `npm start` rebuilds a stale
 * dist/ and serves the page from it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'opsroom-build-'));
const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, OPSROOM_HOST: '127.0.0.1', PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'data', 'opsroom.db')}` };
  for (const k of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'PAGERDUTY_TOKEN', 'OPSROOM_CONFIG', 'OPSROOM_RUNBOOKS', 'OPSROOM_INVENTORY']) delete e[k];
  return e;
};
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, env: env(), encoding: 'utf8', timeout: 240_000 });

beforeAll(() => {
  for (const p of ['src', 'commands', 'scripts', 'bin', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run build', () => {
  it('compiles src/ and commands/ to dist/ with the page and spec files beside their modules', () => {
    const r = node(['scripts/build.mjs', '--no-check']);
    expect(r.stderr).toMatch(/build: dist\/ built \(transpiled/);
    expect(r.status).toBe(0);
    for (const f of ['src/main.js', 'src/cli/lint.js', 'commands/index.js']) expect(existsSync(join(dir, 'dist', f))).toBe(true);
    for (const f of ['src/workspace/page/index.html', 'src/workspace/page/style.css', 'src/workspace/page/app.js', 'src/workspace/spec/slack-methods.json']) {
      expect(readFileSync(join(dir, 'dist', f), 'utf8')).toBe(readFileSync(join(dir, f), 'utf8'));
    }
    expect(existsSync(join(dir, 'dist', 'src', 'pagerduty', 'README.md'))).toBe(false);
    expect(node(['scripts/build.mjs', '--if-stale']).stderr).toMatch(/dist\/ is current/);
    expect(node(['scripts/build.mjs', '--bogus']).status).toBe(2);
  }, 250_000);

  it('the compiled CLI lists its .js commands; bin/opsroom.js runs it while current, the sources once stale', () => {
    const compiled = node(['dist/src/cli.js', 'help']);
    expect(compiled.status).toBe(0);
    expect(compiled.stdout).toMatch(/^\s+lint\s+check runbooks/m);
    expect(compiled.stdout).toMatch(/^\s+serve\s+run the bot/m);
    expect(compiled.stdout.match(/^\s+lint\s/gm)).toHaveLength(1);
    // A mark only the compiled file carries tells which one ran.
    const lint = join(dir, 'dist', 'src', 'cli', 'lint.js');
    writeFileSync(lint, readFileSync(lint, 'utf8').replace(/export const summary = '[^']*'/, "export const summary = 'compiled mark'"));
    expect(node(['bin/opsroom.js', 'help']).stdout).toMatch(/^\s+lint\s+compiled mark$/m);
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'src', 'cli', 'lint.ts'), later, later);
    const fromSources = node(['bin/opsroom.js', 'help']);
    expect(fromSources.stdout).toMatch(/^\s+lint\s+check runbooks/m);
    expect(fromSources.stdout).not.toMatch(/compiled mark/);
  }, 120_000);
});

describe('npm start', () => {
  it('rebuilds a stale dist/, then serves /healthz and the page from it, and stops on SIGTERM', async () => {
    writeFileSync(join(dir, 'src', 'workspace', 'page', 'style.css'), `${readFileSync(join(dir, 'src', 'workspace', 'page', 'style.css'), 'utf8')}\n/* rebuilt */\n`);
    const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((res, rej) => {
        const t = setInterval(() => {
          const m = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) { clearInterval(t); res(m[1]); }
          if (child.exitCode !== null) { clearInterval(t); rej(new Error(`exited ${child.exitCode}: ${err}`)); }
        }, 100);
      });
      expect(err).toMatch(/start: dist\/ is missing or older than the sources; building/);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
      const css = await fetch(`${url}/page/style.css`);
      expect(css.status).toBe(200);
      expect(await css.text()).toContain('/* rebuilt */');
      expect(readFileSync(join(dir, 'dist', 'src', 'cli', 'lint.js'), 'utf8')).not.toMatch(/compiled mark/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 250_000);
});
