/**
 * Which test files need a peer (Docker, sshd, PostgreSQL, Chromium…), for vitest.config.ts.
 *
 * Every peer module (test/support/peers/*.ts, test/support/browser.ts) exports a probe, named
 * `…Available` or `…Binaries`, that tests call to skip or fail when the peer is missing. A test
 * file needs a peer when it imports a probe, itself or through a local helper it imports.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const PEER_MODULE = /(^|\/)test\/support\/(peers\/[^/]+|browser)\.ts$/;
const PROBE = /^\w+(Available|Binaries)$/;
const IMPORT = /\bimport\s+(?:type\s+)?([^;'"]*?)\s+from\s+['"](\.[^'"]+)['"]/g;

const toPosix = (p: string) => p.split('\\').join('/');

/** The .ts file a relative import names (`./x.js` is written for `./x.ts`). */
function resolveLocal(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const file of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (file.endsWith('.ts') && existsSync(file)) return file;
  }
  return undefined;
}

/** The names an import clause brings in: `{ a, b as c, type D }` gives a, b, D. */
function importedNames(clause: string): string[] {
  const braces = /\{([\s\S]*)\}/.exec(clause)?.[1] ?? '';
  return braces.split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]).filter(Boolean);
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Test files under `testDir` that need a peer, relative to `root`, sorted. */
export function peerTestFiles(root: string, testDir = 'test'): string[] {
  const memo = new Map<string, boolean>();
  const needsPeer = (file: string): boolean => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    memo.set(file, false); // an import cycle adds nothing
    let found = false;
    for (const [, clause, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolveLocal(file, spec);
      if (!target) continue;
      if (PEER_MODULE.test(toPosix(target))) found = importedNames(clause).some((n) => PROBE.test(n));
      else found = needsPeer(target);
      if (found) break;
    }
    memo.set(file, found);
    return found;
  };
  return walk(resolve(root, testDir))
    .filter(needsPeer)
    .map((f) => toPosix(relative(root, f)))
    .sort();
}
