/**
 * A POSIX shell command line split the way sh splits it, without expanding or running anything:
 * quotes are removed, `$VAR` and `$(…)` stay as written (their scripts are returned apart), and
 * here-documents are attached to their command. Enough to find the programs a runbook calls.
 */

interface Redirect {
  /** `<`, `>`, `>>`, `<&`, `>&`, `<>`, `>|`, `<<<`. */
  op: string;
  fd?: string;
  target: string;
}

export interface SimpleCommand {
  argv: string[];
  redirects: Redirect[];
  /** A here-document on stdin; `expands` when its delimiter was unquoted. */
  heredoc?: { body: string; expands: boolean };
  /** Scripts of `$(…)` and backquotes in this command's words and here-document. */
  substitutions: string[];
}

/** Commands joined by `|`. Pipelines are separated by `;`, `&&`, `||`, `&` and newlines. */
export type Pipeline = SimpleCommand[];

export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: 'word'; v: string; raw: string; subs: string[]; glued: boolean }
  | { t: 'op'; v: string; glued: boolean }
  | { t: 'nl' };

const OPS = ['<<<', '<<-', '&&', '||', ';;', '<<', '>>', '<&', '>&', '<>', '>|', '|', '&', ';', '<', '>', '(', ')'];
const REDIRECTS = new Set(['<', '>', '>>', '<&', '>&', '<>', '>|', '<<<']);
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}']);
const isBlank = (c: string) => c === ' ' || c === '\t';
const isOpStart = (c: string) => '|&;<>()'.includes(c);

class Lexer {
  private i = 0;
  private readonly pending: { delim: string; strip: boolean; into: { body: string; expands: boolean } }[] = [];
  readonly tokens: Token[] = [];

  constructor(private readonly s: string) {}

  run(): Token[] {
    let afterBlank = true;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (isBlank(c)) {
        this.i++;
        afterBlank = true;
      } else if (c === '\\' && this.s[this.i + 1] === '\n') {
        this.i += 2;
      } else if (c === '\n') {
        this.i++;
        this.tokens.push({ t: 'nl' });
        this.readHeredocs();
        afterBlank = true;
      } else if (c === '#' && afterBlank) {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else if (isOpStart(c)) {
        const op = OPS.find((o) => this.s.startsWith(o, this.i))!;
        this.i += op.length;
        this.tokens.push({ t: 'op', v: op, glued: !afterBlank });
        if (op === '<<' || op === '<<-') this.heredocStart(op === '<<-');
        afterBlank = true;
      } else {
        this.tokens.push(this.word(afterBlank));
        afterBlank = false;
      }
    }
    if (this.pending.length) throw new ShellSyntaxError(`here-document "${this.pending[0].delim}" has no end`, this.i);
    return this.tokens;
  }

  private heredocStart(strip: boolean) {
    while (isBlank(this.s[this.i] ?? '')) this.i++;
    const w = this.word(true);
    const into = { body: '', expands: !/['"\\]/.test(w.raw) };
    this.pending.push({ delim: w.v, strip, into });
    this.tokens.push({ t: 'word', v: '', raw: '', subs: [], glued: false, heredoc: into } as Token);
  }

  private readHeredocs() {
    for (const h of this.pending.splice(0)) {
      const lines: string[] = [];
      for (;;) {
        if (this.i >= this.s.length) throw new ShellSyntaxError(`here-document "${h.delim}" has no end`, this.i);
        const end = this.s.indexOf('\n', this.i);
        const line = this.s.slice(this.i, end < 0 ? this.s.length : end);
        this.i = end < 0 ? this.s.length : end + 1;
        const text = h.strip ? line.replace(/^\t+/, '') : line;
        if (text === h.delim) break;
        lines.push(text);
      }
      h.into.body = lines.length ? `${lines.join('\n')}\n` : '';
    }
  }

  private word(afterBlank: boolean): Token & { t: 'word' } {
    const start = this.i;
    const subs: string[] = [];
    let v = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (isBlank(c) || c === '\n' || isOpStart(c)) break;
      if (c === "'") {
        const end = this.s.indexOf("'", this.i + 1);
        if (end < 0) throw new ShellSyntaxError('unterminated single quote', this.i);
        v += this.s.slice(this.i + 1, end);
        this.i = end + 1;
      } else if (c === '"') {
        v += this.doubleQuoted(subs);
      } else if (c === '\\') {
        const next = this.s[this.i + 1];
        if (next === undefined) throw new ShellSyntaxError('a backslash ends the command', this.i);
        if (next !== '\n') v += next;
        this.i += 2;
      } else if (c === '$' || c === '`') {
        v += this.dollar(subs);
      } else {
        v += c;
        this.i++;
      }
    }
    return { t: 'word', v, raw: this.s.slice(start, this.i), subs, glued: !afterBlank };
  }

  private doubleQuoted(subs: string[]): string {
    const open = this.i++;
    let v = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') {
        this.i++;
        return v;
      }
      if (c === '\\' && '$`"\\\n'.includes(this.s[this.i + 1] ?? '')) {
        if (this.s[this.i + 1] !== '\n') v += this.s[this.i + 1];
        this.i += 2;
      } else if (c === '$' || c === '`') {
        v += this.dollar(subs);
      } else {
        v += c;
        this.i++;
      }
    }
    throw new ShellSyntaxError('unterminated double quote', open);
  }

  /** `$(…)`, `` `…` ``, `${…}` or a plain `$`: kept as written; command scripts go to `subs`. */
  private dollar(subs: string[]): string {
    const start = this.i;
    if (this.s[this.i] === '`') {
      let j = this.i + 1;
      while (j < this.s.length && this.s[j] !== '`') j += this.s[j] === '\\' ? 2 : 1;
      if (j >= this.s.length) throw new ShellSyntaxError('unterminated backquote', start);
      subs.push(this.s.slice(this.i + 1, j).replace(/\\([`\\$])/g, '$1'));
      this.i = j + 1;
      return this.s.slice(start, this.i);
    }
    const next = this.s[this.i + 1];
    if (next === '(' || next === '{') {
      const close = next === '(' ? ')' : '}';
      const end = matching(this.s, this.i + 2, next, close);
      if (end < 0) throw new ShellSyntaxError(`unterminated $${next}`, start);
      const inner = this.s.slice(this.i + 2, end);
      if (next === '(' && !inner.startsWith('(')) subs.push(inner);
      this.i = end + 1;
      return this.s.slice(start, this.i);
    }
    this.i++;
    return '$';
  }
}

/** The index of the `close` that ends a group opened just before `from`, skipping quotes; -1 if none. */
function matching(s: string, from: number, open: string, close: string): number {
  let depth = 1;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === "'") {
      j = s.indexOf("'", j + 1);
      if (j < 0) return -1;
    } else if (c === '"') {
      for (j++; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return j;
  }
  return -1;
}

/** Splits a command line into pipelines of simple commands. Throws ShellSyntaxError. */
export function parseShell(text: string): Pipeline[] {
  const tokens = new Lexer(text).run();
  const pipelines: Pipeline[] = [];
  let pipeline: Pipeline = [];
  let cmd: SimpleCommand = { argv: [], redirects: [], substitutions: [] };
  const endCommand = () => {
    while (cmd.argv.length && RESERVED.has(cmd.argv[0])) cmd.argv.shift();
    if (cmd.argv.length || cmd.redirects.length || cmd.heredoc) pipeline.push(cmd);
    cmd = { argv: [], redirects: [], substitutions: [] };
  };
  const endPipeline = () => {
    endCommand();
    if (pipeline.length) pipelines.push(pipeline);
    pipeline = [];
  };
  let fd: string | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k];
    if (tok.t === 'nl') endPipeline();
    else if (tok.t === 'word') {
      const next = tokens[k + 1];
      cmd.substitutions.push(...tok.subs);
      if (/^\d+$/.test(tok.raw) && next?.t === 'op' && next.glued && (REDIRECTS.has(next.v) || next.v.startsWith('<<'))) {
        fd = tok.raw;
        continue;
      }
      cmd.argv.push(tok.v);
    } else if (tok.v === '<<' || tok.v === '<<-') {
      const holder = tokens[++k] as { heredoc?: { body: string; expands: boolean } };
      cmd.heredoc = holder.heredoc;
      fd = undefined;
    } else if (REDIRECTS.has(tok.v)) {
      const target = tokens[++k];
      if (target?.t !== 'word') throw new ShellSyntaxError(`${tok.v} needs a file`, 0);
      cmd.substitutions.push(...target.subs);
      cmd.redirects.push({ op: tok.v, fd, target: target.v });
      fd = undefined;
    } else if (tok.v === '|') endCommand();
    else endPipeline();
  }
  endPipeline();
  for (const p of pipelines)
    for (const c of p)
      if (c.heredoc?.expands) c.substitutions.push(...heredocSubstitutions(c.heredoc.body));
  return pipelines;
}

/** `$(…)` scripts in an unquoted here-document's body. */
function heredocSubstitutions(body: string): string[] {
  const out: string[] = [];
  for (let i = body.indexOf('$('); i >= 0; i = body.indexOf('$(', i + 2)) {
    if (body[i - 1] === '\\' || body[i + 2] === '(') continue;
    const end = matching(body, i + 2, '(', ')');
    if (end < 0) break;
    out.push(body.slice(i + 2, end));
    i = end - 1;
  }
  return out;
}
