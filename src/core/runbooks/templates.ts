/**
 * `{{ name }}` templates and the quoting applied when a value is substituted.
 * A template is `{{`, optional spaces, a parameter name, optional spaces, `}}`. Any other `{{` is
 * an error, so a typo never reaches a command as literal text.
 */
const TEMPLATE_RE = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

export interface TemplateRef {
  name: string;
  /** Offset of `{{` in the string. */
  index: number;
  /** The template as written, `{{ name }}`. */
  text: string;
}

/** Template references in a string, plus offsets of any `{{` that is not a valid template. */
export function scanTemplates(s: string): { refs: TemplateRef[]; malformed: number[] } {
  const refs: TemplateRef[] = [];
  const covered = new Set<number>();
  for (const m of s.matchAll(TEMPLATE_RE)) {
    refs.push({ name: m[1], index: m.index, text: m[0] });
    covered.add(m.index);
  }
  const malformed: number[] = [];
  for (let i = s.indexOf('{{'); i >= 0; i = s.indexOf('{{', i + 2)) if (!covered.has(i)) malformed.push(i);
  return { refs, malformed };
}

/** Replaces every template by `quote(value)`. Values are looked up by name; missing names throw. */
export function substitute(s: string, values: Record<string, string>, quote: (v: string) => string): string {
  return s.replace(TEMPLATE_RE, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for parameter ${name}`);
    return quote(v);
  });
}

/**
 * POSIX shell single-quoting: the result is always one word whose value is exactly `v`.
 * Inside single quotes nothing is special; a single quote itself is written as `'\''`.
 */
export const shellQuote = (v: string): string => `'${v.replaceAll("'", `'\\''`)}'`;

/** Escapes a value for use inside a regular expression (logs grep, output_matches). */
export const regexQuote = (v: string): string => v.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Escapes a value for a grep basic regular expression (logs `grep`), where `|(){}+?` are literal. */
const breQuote = (v: string): string => v.replace(/[.*[\]^$\\]/g, '\\$&');

/** Old grep basic regex (`a\|b`), still read during the transition; lint --fix rewrites it. */
export const isBreGrep = (pattern: string): boolean => pattern.includes('\\|');

/** The old grep basic regex as a JavaScript one: `\|`, `\(`, `\)` become operators, `|(){}+?` literal. */
export function breToRegex(pattern: string): string {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i];
      src += '|()+?'.includes(next) ? next : `\\${next}`;
    } else src += '|()+?{}'.includes(ch) ? `\\${ch}` : ch;
  }
  return src;
}

/**
 * A logs `grep` rendered as a JavaScript regex. The dialect is the template's, never the values':
 * values are escaped for it, then the old basic regex is converted.
 */
export function renderGrep(template: string, sub: (text: string, quote: (v: string) => string) => string): string {
  return isBreGrep(template) ? breToRegex(sub(template, breQuote)) : sub(template, regexQuote);
}

export const urlQuote = (v: string): string => encodeURIComponent(v);

export const verbatim = (v: string): string => v;

/** Where a template sits in shell text (see shellContextAt). Only 'none' is safe to substitute into. */
export type ShellContext = 'none' | 'single' | 'double' | 'backslash' | 'heredoc';

/**
 * Where each template sits in shell text. opsroom quotes each value itself, so a template inside
 * quotes the author wrote (`"{{ x }}"`, `'{{ x }}'`), after a backslash, or in a here-document body
 * (where quotes are literal but `$( )` still runs) would be re-opened by the value: refused.
 */
export function shellContextAt(s: string, offsets: readonly number[]): Map<number, ShellContext> {
  const want = new Set(offsets);
  const out = new Map<number, ShellContext>();
  let state: 'none' | 'single' | 'double' = 'none';
  let heredocPending = false;
  let inHeredoc = false;
  for (let i = 0; i < s.length; i++) {
    if (want.has(i)) out.set(i, inHeredoc ? 'heredoc' : state);
    const c = s[i];
    if (inHeredoc) continue; // conservative: everything after a here-document starts is its body
    if (state === 'single') {
      if (c === "'") state = 'none';
    } else if (c === '\\') {
      if (want.has(i + 1)) out.set(i + 1, 'backslash');
      i++;
    } else if (state === 'double') {
      if (c === '"') state = 'none';
    } else if (c === "'") state = 'single';
    else if (c === '"') state = 'double';
    else if (c === '<' && s[i + 1] === '<' && s[i + 2] !== '<' && s[i - 1] !== '<') heredocPending = true;
    else if (c === '\n' && heredocPending) inHeredoc = true;
  }
  return out;
}

const SHELL_RE = /(?:^|\/)(?:ba|da|k|z|a|c|tc|fi|mk)?sh$/;

/**
 * The index of the element of an argv list that a shell reads as a script (`[sh, -c, "…"]`,
 * `[env, bash, -ec, "…"]`, `[busybox, sh, -c, "…"]`), or -1. Templates there are shell-quoted.
 */
export function shellScriptIndex(argv: readonly string[]): number {
  const shell = argv.findIndex((a) => SHELL_RE.test(a));
  if (shell < 0) return -1;
  const flag = argv.findIndex((a, i) => i > shell && /^-[A-Za-z]*c[A-Za-z]*$/.test(a));
  return flag < 0 || flag + 1 >= argv.length ? -1 : flag + 1;
}
