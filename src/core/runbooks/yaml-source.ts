import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

/** One problem in a file, printed as `file:line:column message`. Lines and columns start at 1. */
export interface SourceError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export const formatSourceError = (e: SourceError) => `${e.file}:${e.line}:${e.column} ${e.message}`;

/** Errors in reading order: by file, line, column (stable for equal positions). */
export const sortErrors = (errors: SourceError[]): SourceError[] =>
  [...errors].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);

export type Path = readonly (string | number)[];

/** A parsed YAML file that can say where any path in it is. */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly text: string,
  ) {}

  /** Parses `text`; YAML syntax errors come back as SourceErrors instead of a value. */
  static parse(file: string, text: string): { source: YamlSource; value: unknown; errors: SourceError[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
    const source = new YamlSource(file, doc, lines, text);
    const errors = doc.errors.map((e) => source.at(e.pos[0], firstLine(e.message)));
    return { source, value: errors.length ? undefined : doc.toJS({ maxAliasCount: 100 }), errors };
  }

  /** An error at a character offset. */
  at(offset: number, message: string): SourceError {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, message };
  }

  /**
   * An error at the node a path names. When the path does not exist (a missing key), the nearest
   * existing parent is used. `keyOf` points at a key of a map instead of its value; `needle`
   * points inside a scalar at the `nth` (0-based) occurrence of that text when it is found.
   */
  atPath(path: Path, message: string, keyOf?: string, needle?: string, nth = 0): SourceError {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (const seg of path) {
      const next = child(node, seg);
      if (!next) break;
      node = next.value ?? next.key;
      offset = rangeStart(node) ?? rangeStart(next.key) ?? offset;
    }
    if (keyOf !== undefined) {
      const pair = isMap(node) ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === keyOf) : undefined;
      offset = rangeStart(pair?.key) ?? offset;
    }
    if (needle && isScalar(node) && node.range) {
      const raw = this.text.slice(node.range[0], node.range[1]);
      let i = raw.indexOf(needle);
      for (let k = 0; k < nth && i >= 0; k++) i = raw.indexOf(needle, i + 1);
      if (i >= 0) offset = node.range[0] + i;
    }
    return this.at(offset, message);
  }

  /** Maps zod issues to positions. */
  zodErrors(error: z.ZodError): SourceError[] {
    const out: SourceError[] = [];
    for (const issue of error.issues) out.push(...this.issueErrors(issue as Issue, []));
    return out;
  }

  private issueErrors(issue: Issue, prefix: Path): SourceError[] {
    const path = [...prefix, ...(issue.path as Path)];
    const where = path.length ? `${path.map(String).join('.')}: ` : '';
    if (issue.code === 'unrecognized_keys')
      return (issue.keys ?? []).map((k) => this.atPath(path, `${where}unknown key "${k}"`, k));
    if (issue.code === 'invalid_key' && issue.issues?.length) {
      const inner = issue.issues[0].message;
      const key = String(path[path.length - 1]);
      return [this.atPath(path.slice(0, -1), `${where}invalid key "${key}": ${inner}`, key)];
    }
    if (issue.code === 'invalid_union' && issue.message !== 'Invalid input') return [this.atPath(path, `${where}${issue.message}`)];
    if (issue.code === 'invalid_union' && Array.isArray(issue.errors) && issue.errors.length) {
      // Report the branch that got furthest (most specific path); fall back to the union's message.
      const best = issue.errors
        .map((branch) => branch as Issue[])
        .filter((b) => b.length && !b.some((i) => i.code === 'invalid_type' && (i.path?.length ?? 0) === 0))
        .sort((a, b) => depth(b) - depth(a))[0];
      if (best) return best.flatMap((i) => this.issueErrors(i, path));
      const expected = [...new Set(issue.errors.flat().map((i) => (i as Issue).expected).filter(Boolean))];
      const received = /received (\w+)/.exec((issue.errors[0][0] as Issue | undefined)?.message ?? '')?.[1];
      if (expected.length)
        return [this.atPath(path, `${where}expected ${expected.join(' or ')}${received ? `, got ${received}` : ''}`)];
    }
    if (issue.code === 'invalid_type' && path.length === 0)
      return [this.atPath(path, `the file must be a mapping of keys (key: value); ${issue.message.replace(/^Invalid input: /, '')}`)];
    if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message))
      return [this.atPath(path, `${where}required, but missing`)];
    return [this.atPath(path, `${where}${issue.message}`)];
  }
}

type Issue = {
  code: string;
  path: Path;
  message: string;
  keys?: string[];
  expected?: string;
  issues?: Issue[];
  errors?: unknown[][];
};

const depth = (issues: Issue[]) => Math.max(...issues.map((i) => i.path?.length ?? 0));

function child(node: unknown, seg: string | number): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
    return pair ? { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined } : undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg];
    return item ? { value: item as Node } : undefined;
  }
  return undefined;
}

const rangeStart = (node: unknown): number | undefined =>
  node && typeof node === 'object' && 'range' in node && Array.isArray((node as Node).range)
    ? (node as Node).range![0]
    : undefined;

const firstLine = (s: string) => {
  const line = s.split('\n')[0];
  return line.startsWith('Source contains multiple documents') ? 'one file holds one YAML document (remove the second ---)' : line;
};
