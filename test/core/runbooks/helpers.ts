import { parseRunbook, type LoadOptions } from '#core/runbooks/loader.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';

/** Parses YAML text as runbook `t/demo`, returning the runbook and the formatted errors. */
export function lint(text: string, opts: LoadOptions = {}, id = 't/demo') {
  const r = parseRunbook('demo.yml', text, id, opts);
  return { runbook: r.runbook, errors: r.errors.map(formatSourceError) };
}

/** Lines joined with newlines, so tests can count line numbers. */
export const yaml = (...lines: string[]) => lines.join('\n') + '\n';
