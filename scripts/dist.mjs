// The compiled build in dist/: whether it is current, and building it. A build records the source
// files it saw in dist/.stamp, whose mtime is the moment the build started; it is current while no
// file under src/ or commands/ (or a tsconfig) is newer and none was added or removed.
// Used by scripts/build.mjs (npm run build, prepare), scripts/start.mjs (npm start), bin/opsroom.js.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.stamp');
const TREES = ['src', 'commands'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Every file the build depends on, relative to the checkout, sorted. */
export function sources() {
  const files = TREES.flatMap((t) => (existsSync(join(ROOT, t)) ? walk(join(ROOT, t), []) : []));
  return [...files.map((f) => relative(ROOT, f)), ...CONFIGS.filter((c) => existsSync(join(ROOT, c)))].sort();
}

/** True when dist/ was built from the sources as they are now. */
export function isCurrent() {
  let stamp;
  try {
    stamp = { at: statSync(STAMP).mtimeMs, files: JSON.parse(readFileSync(STAMP, 'utf8')).files };
  } catch {
    return false;
  }
  const files = sources();
  if (files.length !== stamp.files.length || files.some((f, i) => f !== stamp.files[i])) return false;
  return files.every((f) => statSync(join(ROOT, f)).mtimeMs <= stamp.at);
}

/** The TypeScript compiler's entry point, or undefined when typescript is not installed. */
export function tscPath() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/** Files the code reads at run time next to its modules (import.meta.url): everything but TypeScript and READMEs. */
const isAsset = (f) => !f.endsWith('.ts') && !f.endsWith('.md');

/**
 * Compiles src/ and commands/ into a fresh folder, copies the assets beside the compiled modules,
 * then swaps it in for dist/. `check: false` skips type checking (transpile only, as tsx runs it).
 * Returns the compiler's exit code (0 on success); dist/ is left as it was on failure.
 */
export function build({ check = true, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const tsc = tscPath();
  if (!tsc) {
    log('build: typescript is not installed (install with dev dependencies: npm install)');
    return 1;
  }
  const started = new Date();
  const files = sources();
  const out = join(ROOT, `dist.tmp-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const args = [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out, ...(check ? [] : ['--noCheck'])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    log(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ unchanged`);
    return r.status || 1;
  }
  const assets = files.filter((f) => TREES.some((t) => f.startsWith(`${t}/`)) && isAsset(f));
  for (const f of assets) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    cpSync(join(ROOT, f), join(out, f));
  }
  // dist/ mirrors the checkout, so the package's `imports` aliases (#core/…) resolve there unchanged.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: pkg.type, imports: pkg.imports }, null, 2)}\n`);
  writeFileSync(join(out, '.stamp'), `${JSON.stringify({ files })}\n`);
  utimesSync(join(out, '.stamp'), started, started);
  const old = join(ROOT, `dist.old-${process.pid}`);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
  log(`build: dist/ built (${check ? 'type-checked' : 'transpiled'}, ${assets.length} assets copied) in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s`);
  return 0;
}
