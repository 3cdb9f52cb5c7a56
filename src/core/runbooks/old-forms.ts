/**
 * Old forms of the runbook format that lint rejects, each with the new form and the text edits
 * `opsroom lint --fix` makes (in place, keeping comments and layout).
 */
import type { Document } from 'yaml';
import type { Runbook } from './schema.js';
import { breToRegex, isBreGrep } from './templates.js';
import { addPairs, mapAt, pairOf, removePair, replacePair, replaceScalar, sourceOf, insertBefore, type TextEdit } from './yaml-edit.js';
import type { Path } from './yaml-source.js';

export interface OldForm {
  path: Path;
  message: string;
  edits: TextEdit[];
}

const TEMPLATE = /(\{\{[^}]*\}\})/;

/** A grep basic regex as a JavaScript one, leaving `{{ templates }}` as they are. */
const grepToRegex = (pattern: string): string =>
  pattern.split(TEMPLATE).map((part, i) => (i % 2 ? part : breToRegex(part))).join('');

/** The pattern matches the empty output and nothing else (`^$`, `^\s*$`, `(?<![\s\S])(?![\s\S])`). */
export function matchesOnlyEmpty(pattern: string): boolean {
  if (pattern.includes('{{')) return false;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return false;
  }
  return re.test('') && !['x', '0', 'a b', 'x\n', '\nx', ' x '].some((t) => re.test(t));
}

export function findOldForms(rb: Runbook, doc: Document, text: string): OldForm[] {
  const out: OldForm[] = [];
  rb.steps.forEach((s, i) => {
    const at: Path = ['steps', i];
    const m = s.expect?.output_matches;
    const expectMap = mapAt(doc, [...at, 'expect']);
    if (m !== undefined && matchesOnlyEmpty(m)) {
      const pair = pairOf(expectMap, 'output_matches')!;
      out.push({ path: [...at, 'expect', 'output_matches'], message: `output_matches '${m}' only matches empty output: use output_empty: true`, edits: [replacePair(pair, 'output_empty: true')] });
    }
    for (const grepPath of [[...at, 'docker', 'logs', 'grep'], [...at, 'kubernetes', 'grep']]) {
      const node = doc.getIn(grepPath, true) as import('yaml').Scalar | undefined;
      const value = node && typeof node.value === 'string' ? node.value : undefined;
      if (value === undefined || !isBreGrep(value)) continue;
      const js = grepToRegex(value);
      out.push({ path: grepPath, message: `grep '${value}' is a grep basic regex: write the JavaScript regex '${js}' (| not \\|)`, edits: [replaceScalar(text, node!, js)] });
    }
    if (s.http && (s.http.expect_status !== undefined || s.http.expect_body !== undefined)) {
      const http = mapAt(doc, [...at, 'http'])!;
      const moved: string[] = [];
      const edits: TextEdit[] = [];
      for (const [old, now] of [['expect_status', 'status'], ['expect_body', 'body_contains']] as const) {
        const p = pairOf(http, old);
        if (!p) continue;
        moved.push(`${now}: ${sourceOf(text, p.value)}`);
        edits.push(removePair(text, http, p));
      }
      edits.push(expectMap ? addPairs(text, expectMap, moved) : addPairs(text, mapAt(doc, at)!, [`expect: { ${moved.join(', ')} }`]));
      const which = s.http.expect_status !== undefined ? 'expect_status' : 'expect_body';
      out.push({ path: [...at, 'http', which], message: 'http.expect_status / expect_body: use expect: { status, body_contains }', edits });
    }
  });
  out.push(...onFailureForms(rb, doc, text));
  return out;
}

/** Most steps repeating `on_failure: continue`: one `defaults:` says it (and a default repeated is noise). */
function onFailureForms(rb: Runbook, doc: Document, text: string): OldForm[] {
  const steps = rb.steps;
  const dflt = rb.defaults?.on_failure;
  const stepMap = (i: number) => mapAt(doc, ['steps', i])!;
  if (dflt !== undefined) {
    return steps.flatMap((s, i) => (typeof s.on_failure === 'string' && s.on_failure === dflt
      ? [{ path: ['steps', i, 'on_failure'], message: `on_failure: ${dflt} is the runbook's default already (defaults:); remove it`, edits: [removePair(text, stepMap(i), pairOf(stepMap(i), 'on_failure')!)] }]
      : []));
  }
  const continuing = steps.flatMap((s, i) => (s.on_failure === 'continue' ? [i] : []));
  if (continuing.length < 3 || continuing.length * 2 <= steps.length) return [];
  const edits: TextEdit[] = [];
  const top = insertBefore(text, doc, 'steps', 'defaults: { on_failure: continue }');
  if (!top) return [];
  edits.push(top);
  steps.forEach((s, i) => {
    const map = stepMap(i);
    if (s.on_failure === 'continue') edits.push(removePair(text, map, pairOf(map, 'on_failure')!));
    // The last step's on_failure changes nothing: nothing runs after it.
    else if (s.on_failure === undefined && i < steps.length - 1) edits.push(addPairs(text, map, ['on_failure: stop']));
  });
  return [{
    path: ['steps', continuing[0], 'on_failure'],
    message: `${continuing.length} of ${steps.length} steps repeat on_failure: continue: set defaults: { on_failure: continue } once (steps that stop say on_failure: stop)`,
    edits,
  }];
}
