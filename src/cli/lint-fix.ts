/** `opsroom lint`'s old-form check and `--fix`: rewrites old forms in place, one at a time, re-checking each. */
import { readFileSync, writeFileSync } from 'node:fs';
import { findOldForms } from '#core/runbooks/old-forms.js';
import { parseRunbook, type LoadedRunbook, type LoadOptions } from '#core/runbooks/loader.js';
import { applyEdits } from '#core/runbooks/yaml-edit.js';
import { formatSourceError, sortErrors, YamlSource, type SourceError } from '#core/runbooks/yaml-source.js';

/** Old forms in a runbook that loaded, as errors at their file:line. */
export function oldFormErrors(rb: LoadedRunbook, text = readFileSync(rb.file, 'utf8')): SourceError[] {
  const { source } = YamlSource.parse(rb.file, text);
  return sortErrors(findOldForms(rb, source.doc, text).map((f) => source.atPath(f.path, f.message)));
}

export interface FixResult {
  text: string;
  fixed: string[];
  /** Set when a rewrite would not load: the file is left as it was. */
  error?: string;
}

/** Rewrites every old form of a runbook's text; each step of the rewrite must still load. */
export function fixText(file: string, text: string, id: string, opts: LoadOptions): FixResult {
  let current = text;
  const fixed: string[] = [];
  for (let round = 0; round < 200; round++) {
    const loaded = parseRunbook(file, current, id, opts);
    if (!loaded.runbook) {
      const why = loaded.errors.map(formatSourceError).join('; ');
      return { text, fixed: [], error: round === 0 ? why : `the rewrite would not load (${why}); file left unchanged` };
    }
    const { source } = YamlSource.parse(file, current);
    const [form] = findOldForms(loaded.runbook, source.doc, current);
    if (!form) return { text: current, fixed };
    fixed.push(formatSourceError(source.atPath(form.path, form.message)));
    current = applyEdits(current, form.edits);
  }
  return { text, fixed: [], error: 'too many rewrites; file left unchanged' };
}

/** Fixes the files of the loaded runbooks in place; returns what it did, per file. */
export function fixFiles(runbooks: readonly LoadedRunbook[], opts: LoadOptions): { fixed: string[]; errors: string[] } {
  const fixed: string[] = [];
  const errors: string[] = [];
  for (const rb of runbooks) {
    const text = readFileSync(rb.file, 'utf8');
    const r = fixText(rb.file, text, rb.id, opts);
    if (r.error) errors.push(`${rb.file}: ${r.error}`);
    else if (r.text !== text) {
      writeFileSync(rb.file, r.text);
      fixed.push(...r.fixed.map((f) => `fixed ${f}`));
    }
  }
  return { fixed, errors };
}
