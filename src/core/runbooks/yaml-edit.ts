/** Small edits of YAML text at node positions, so a rewrite keeps every comment, quote and layout. */
import { isMap, isPair, isScalar, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Path } from './yaml-source.js';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies edits that do not overlap, last first. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

export const mapAt = (doc: Document, path: Path): YAMLMap | undefined => {
  const n = path.length ? doc.getIn(path, true) : doc.contents;
  return isMap(n) ? n : undefined;
};

export function pairOf(map: YAMLMap | undefined, key: string): Pair<Node, Node> | undefined {
  const p = map?.items.find((i) => isPair(i) && isScalar(i.key) && String(i.key.value) === key);
  return p as Pair<Node, Node> | undefined;
}

const startOf = (n: Node | null | undefined) => n?.range?.[0] ?? 0;
/** Where a pair's value ends (before any comment or line break). */
const pairEnd = (p: Pair<Node, Node>) => (p.value?.range ? p.value.range[1] : (p.key.range?.[1] ?? 0));

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const lineEnd = (text: string, at: number) => {
  const i = text.indexOf('\n', at);
  return i < 0 ? text.length : i + 1;
};

/** Removes a pair: with its comma in a flow map, with its line(s) in a block map. */
export function removePair(text: string, map: YAMLMap, pair: Pair<Node, Node>): TextEdit {
  const i = map.items.indexOf(pair as never);
  if (map.flow) {
    if (i > 0) return { start: pairEnd(map.items[i - 1] as Pair<Node, Node>), end: pairEnd(pair), text: '' };
    const next = map.items[i + 1] as Pair<Node, Node> | undefined;
    return { start: startOf(pair.key), end: next ? startOf(next.key) : pairEnd(pair), text: '' };
  }
  const end = pairEnd(pair);
  return { start: lineStart(text, startOf(pair.key)), end: lineEnd(text, end > 0 ? end - 1 : end), text: '' };
}

/** Adds `key: value` entries after the map's last pair, in the map's own style. */
export function addPairs(text: string, map: YAMLMap, entries: readonly string[]): TextEdit {
  const last = map.items.at(-1) as Pair<Node, Node> | undefined;
  if (!last) throw new Error('cannot add to an empty map');
  const at = pairEnd(last);
  if (map.flow) return { start: at, end: at, text: entries.map((e) => `, ${e}`).join('') };
  const first = map.items[0] as Pair<Node, Node>;
  const indent = ' '.repeat(startOf(first.key) - lineStart(text, startOf(first.key)));
  const eol = text[at - 1] === '\n' ? at : lineEnd(text, at);
  const newline = eol === text.length && !text.endsWith('\n') ? '\n' : '';
  return { start: eol, end: eol, text: newline + entries.map((e) => `${indent}${e}\n`).join('') };
}

/** Replaces a pair (key and value) with other `key: value` text in place. */
export const replacePair = (pair: Pair<Node, Node>, entry: string): TextEdit => ({ start: startOf(pair.key), end: pairEnd(pair), text: entry });

/** Replaces a scalar's value, keeping its quoting style (plain becomes single-quoted). */
export function replaceScalar(text: string, node: Node, value: string): TextEdit {
  const [start, end] = node.range ?? [0, 0];
  const raw = text.slice(start, end);
  const quoted = raw.startsWith('"')
    ? `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
    : `'${value.replaceAll("'", "''")}'`;
  return { start, end, text: quoted };
}

/** The source text of a node (to move a value without changing how it is written). */
export const sourceOf = (text: string, node: Node | null | undefined): string =>
  node?.range ? text.slice(node.range[0], node.range[1]) : '';

/** Inserts a line before the top-level key `key`. */
export function insertBefore(text: string, doc: Document, key: string, line: string): TextEdit | undefined {
  const p = pairOf(mapAt(doc, []), key);
  if (!p) return undefined;
  let at = lineStart(text, startOf(p.key));
  // Above the comment lines that belong to the key.
  while (at > 0) {
    const prev = lineStart(text, at - 1);
    if (!text.slice(prev, at).trimStart().startsWith('#')) break;
    at = prev;
  }
  return { start: at, end: at, text: `${line}\n` };
}
