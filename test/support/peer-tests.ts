/**
 * Which vitest project a test file belongs to, for vitest.config.ts.
 *
 * Peers: every peer module (test/support/peers/*.ts, test/support/browser.ts) exports a probe,
 * named `…Available` or `…Binaries`, that tests call to skip or fail when the peer is missing. A
 * test file needs a peer when it imports a probe, itself or through a local helper it imports.
 *
 * System: a file that needs no peer but starts a process (imports `node:child_process`) or the
 * whole app (imports `startOpsroom` or `startLocal`), itself or through a local helper.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const PEER_MODULE = /(^|\/)test\/support\/(peers\/[^/]+|browser)\.ts$/;
const PROBE = /^\w+(Available|Binaries)$/;
const IMPORT = /\bimport\s+(?:type\s+)?([^;'"]*?)\s+from\s+['"]([^'"]+)['"]/g;
const PROCESS_MODULE = /^(node:)?child_process$/;
const DYNAMIC_PROCESS = /\b(import|require)\(\s*['"](node:)?child_process['"]\s*\)/;
const APP_START = /^start(Opsroom|Local)$/;

/** What flags a file: an import (names brought in, module named), or its text. */
interface Marker {
  imports(names: string[], spec: string): boolean;
  text?(text: string): boolean;
}
const probe: Marker = { imports: (names) => names.some((n) => PROBE.test(n)) };
const nothing: Marker = { imports: () => false };
const startsSomething: Marker = {
  imports: (names, spec) => PROCESS_MODULE.test(spec) || names.some((n) => APP_START.test(n)),
  text: (text) => DYNAMIC_PROCESS.test(text),
};

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

/**
 * Test files under `testDir` that `marker` flags, itself or through a local helper, relative to
 * `root`, sorted. Peer modules are never followed: what they import is the peers' business.
 */
function marked(root: string, testDir: string, marker: Marker, peerModule: Marker): string[] {
  const memo = new Map<string, boolean>();
  const check = (file: string): boolean => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    memo.set(file, false); // an import cycle adds nothing
    const text = readFileSync(file, 'utf8');
    let found = marker.text?.(text) ?? false;
    for (const [, clause, spec] of found ? [] : text.matchAll(IMPORT)) {
      const names = importedNames(clause);
      const target = spec.startsWith('.') ? resolveLocal(file, spec) : undefined;
      if (target && PEER_MODULE.test(toPosix(target))) found = peerModule.imports(names, spec);
      else found = marker.imports(names, spec) || (target !== undefined && check(target));
      if (found) break;
    }
    memo.set(file, found);
    return found;
  };
  return walk(resolve(root, testDir))
    .filter(check)
    .map((f) => toPosix(relative(root, f)))
    .sort();
}

/** Test files under `testDir` that need a peer, relative to `root`, sorted. */
export function peerTestFiles(root: string, testDir = 'test'): string[] {
  return marked(root, testDir, nothing, probe);
}

/** Test files that need no peer but start a process or the app, relative to `root`, sorted. */
export function systemTestFiles(root: string, testDir = 'test'): string[] {
  const peers = new Set(peerTestFiles(root, testDir));
  return marked(root, testDir, startsSomething, nothing).filter((f) => !peers.has(f));
}
