import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { RunbookSchema, type Runbook } from './schema.js';
import { checkSemantics, type SemanticOptions } from './semantics.js';
import { sortErrors, YamlSource, type SourceError } from './yaml-source.js';

/** A runbook that passed both validation passes; `id` is always set (from the file path). */
export type LoadedRunbook = Runbook & { id: string; file: string };

export interface LoadResult {
  runbook?: LoadedRunbook;
  errors: SourceError[];
}

export type LoadOptions = Omit<SemanticOptions, 'expectedId'>;

const RUNBOOK_EXT = /\.ya?ml$/;

/**
 * Validates runbook YAML text in two passes: shape (the zod schema), then, only when the shape is
 * right, meaning (semantics.ts). `id` is the id the file's path gives it.
 */
export function parseRunbook(file: string, text: string, id: string, opts: LoadOptions = {}): LoadResult {
  const { source, value, errors } = YamlSource.parse(file, text);
  if (errors.length) return { errors };
  const parsed = RunbookSchema.safeParse(value ?? {});
  if (!parsed.success) return { errors: sortErrors(source.zodErrors(parsed.error)) };
  const semantic = checkSemantics(parsed.data, source, { ...opts, expectedId: id });
  if (semantic.length) return { errors: sortErrors(semantic) };
  return { runbook: { ...parsed.data, id, file }, errors: [] };
}

/**
 * The folder runbook ids are relative to: the nearest folder named `runbooks` at or above `path`,
 * else `fallback`. So `runbooks/minimarket` and `runbooks/minimarket/backup.yml` keep their ids.
 */
export function runbooksRootOf(path: string, fallback: string): string {
  const parts = resolve(path).split(sep);
  const i = parts.lastIndexOf('runbooks');
  return i >= 0 ? parts.slice(0, i + 1).join(sep) || sep : fallback;
}

/** The id a runbook file gets: its path without extension relative to `root`, with "/" separators. */
export function runbookIdFor(file: string, root?: string): string {
  const base = resolve(root ?? runbooksRootOf(dirname(file), dirname(file)));
  return relative(base, resolve(file)).replace(RUNBOOK_EXT, '').split(sep).join('/');
}

export async function loadRunbookFile(file: string, opts: LoadOptions & { root?: string } = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { errors: [{ file, line: 1, column: 1, message: `cannot read: ${(e as Error).message}` }] };
  }
  return parseRunbook(file, text, runbookIdFor(file, opts.root), opts);
}

/** `.yml`/`.yaml` files under a folder, sorted, skipping dot-folders and node_modules. */
async function findRunbookFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (RUNBOOK_EXT.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

export interface Catalog {
  runbooks: LoadedRunbook[];
  errors: SourceError[];
}

/**
 * Loads every runbook under `dir` (recursively, or one file); id = path without extension relative
 * to `opts.root`, else the nearest folder named `runbooks` (see runbooksRootOf), else `dir`.
 * Files with errors are left out of `runbooks` and all their errors are returned.
 */
export async function loadRunbooks(dir: string, opts: LoadOptions & { root?: string } = {}): Promise<Catalog> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return { runbooks: [], errors: [{ file: dir, line: 1, column: 1, message: 'no such file or folder' }] };
  const files = info.isDirectory() ? await findRunbookFiles(dir) : [dir];
  const root = opts.root ?? (info.isDirectory() ? runbooksRootOf(dir, dir) : undefined);
  const runbooks: LoadedRunbook[] = [];
  const errors: SourceError[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const r = await loadRunbookFile(file, { ...opts, root });
    errors.push(...r.errors);
    if (!r.runbook) continue;
    const other = seen.get(r.runbook.id);
    if (other) errors.push({ file, line: 1, column: 1, message: `runbook id "${r.runbook.id}" is also used by ${other}` });
    else {
      seen.set(r.runbook.id, file);
      runbooks.push(r.runbook);
    }
  }
  return { runbooks, errors };
}

