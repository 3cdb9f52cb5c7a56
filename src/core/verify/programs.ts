/**
 * The programs a shell command line starts, read with a shell-words parser (shell-quote): every
 * command of a pipeline, `&&`/`||`/`;` chain or `$( )`, after environment assignments and
 * wrappers (sudo, env, nohup…). Shell builtins and keywords are not programs; neither are
 * relative paths (they depend on an earlier `cd`) nor words that expand a variable.
 */
import { parse } from 'shell-quote';

const BUILTINS = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', 'function', '{', '}', '!',
  'cd', 'echo', 'export', 'set', 'unset', 'test', '[', '[[', 'true', 'false', '.', 'source', 'read', 'exit', 'return', 'printf',
  'wait', 'local', 'eval', 'shift', 'trap', 'ulimit', 'umask', 'alias', 'type', 'command', 'pwd', 'sleep', 'kill', 'exec', 'time',
]);
/** Words that start another program: the program is the next plain word. */
const WRAPPERS = new Set(['sudo', 'env', 'nohup', 'nice', 'timeout', 'xargs', 'exec', 'time', 'command']);
const SEPARATORS = new Set(['|', '||', '&&', ';', ';;', '&', '(', ')', '|&']);
const REDIRECTS = new Set(['>', '>>', '<', '<<', '>&', '<&', '<(', '>|']);
/** Keywords after which a command starts. */
const LEADING = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);
const VAR = '\u0000';

export function programsOf(command: string): string[] {
  // Variables stay unexpanded, marked so that a word holding one is never taken for a program.
  const tokens = parse(command, (name) => `${VAR}${name}`);
  const out: string[] = [];
  let atStart = true;
  let wrapped = false;
  let skipNext = false;
  for (const t of tokens) {
    if (typeof t === 'object') {
      if ('comment' in t) break;
      const op = (t as { op: string }).op;
      if (SEPARATORS.has(op)) {
        atStart = true;
        wrapped = false;
      } else if (REDIRECTS.has(op)) skipNext = true;
      else atStart = false; // a glob
      continue;
    }
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (!atStart) continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) continue;
    if (wrapped && t.startsWith('-')) continue;
    if (wrapped && /^\d+[smhd]?$/.test(t)) continue; // timeout 10 cmd, nice 5
    if (t === '$' || LEADING.has(t)) continue; // the `$` of `$( … )`, `then`, `do`: a command follows
    if (WRAPPERS.has(t)) {
      if (t === 'sudo' || t === 'env' || t === 'nohup' || t === 'nice' || t === 'timeout' || t === 'xargs') push(out, t);
      wrapped = true;
      continue;
    }
    atStart = false;
    wrapped = false;
    if (BUILTINS.has(t) || t.includes(VAR)) continue;
    if (t.includes('/') && !t.startsWith('/')) continue;
    if (!/^[A-Za-z0-9_./+-]+$/.test(t)) continue;
    push(out, t);
  }
  return out;
}

function push(out: string[], p: string): void {
  if (!out.includes(p)) out.push(p);
}
