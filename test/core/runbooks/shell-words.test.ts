import { describe, expect, it } from 'vitest';
import { parseShell, ShellSyntaxError } from '#core/runbooks/shell-words.js';

const argvs = (s: string) => parseShell(s).map((p) => p.map((c) => c.argv));

describe('parseShell', () => {
  it('removes quotes the way sh does', () => {
    expect(argvs(`a 'b c' "d \\"e\\" \\$f" g\\ h 'it'\\''s' "x"'y'z`)).toEqual([[['a', 'b c', 'd "e" $f', 'g h', "it's", 'xyz']]]);
  });

  it('keeps a backslash that escapes nothing inside double quotes, and joins continued lines', () => {
    expect(argvs('echo "a\\b" c\\\n d')).toEqual([[['echo', 'a\\b', 'c', 'd']]]);
  });

  it('splits pipelines on ; && || & and newlines, and commands on |', () => {
    expect(argvs('a | b && c; d || e & f\ng')).toEqual([[['a'], ['b']], [['c']], [['d']], [['e']], [['f']], [['g']]]);
  });

  it('does not split on operators inside quotes', () => {
    expect(argvs(`psql -c "SELECT 1; SELECT 'a|b' && x"`)).toEqual([[['psql', '-c', "SELECT 1; SELECT 'a|b' && x"]]]);
  });

  it('reads redirections with and without a file descriptor', () => {
    const [[cmd]] = parseShell('psql db < dump.sql 2>&1 >> out.log');
    expect(cmd.argv).toEqual(['psql', 'db']);
    expect(cmd.redirects).toEqual([
      { op: '<', fd: undefined, target: 'dump.sql' },
      { op: '>&', fd: '2', target: '1' },
      { op: '>>', fd: undefined, target: 'out.log' },
    ]);
  });

  it('attaches here-documents to their command; a quoted delimiter does not expand', () => {
    const [[a], [b]] = parseShell("psql db << EOF\nSELECT '$X';\nEOF\ncat <<-'END'\n\tliteral $(no)\n\tEND\n");
    expect(a.heredoc).toEqual({ body: "SELECT '$X';\n", expands: true });
    expect(b.heredoc).toEqual({ body: 'literal $(no)\n', expands: false });
    expect(b.substitutions).toEqual([]);
  });

  it('reads $(…) inside double quotes as a script of its own, where \\" is a quote character', () => {
    const [[cmd]] = parseShell('echo "$(printf %s -c \\"SELECT 3\\")"');
    expect(parseShell(cmd.substitutions[0])[0][0].argv).toEqual(['printf', '%s', '-c', '"SELECT', '3"']);
  });

  it('returns command substitutions as scripts, from words and unquoted here-documents', () => {
    const [[cmd]] = parseShell('echo "size: $(psql -c \\"SELECT 1\\" -t)" `date` $((1 + 2))');
    expect(cmd.substitutions).toEqual(['psql -c \\"SELECT 1\\" -t', 'date']);
    const [[doc]] = parseShell('cat << EOF\n- DB: $(psql -c "SELECT 2")\nEOF');
    expect(doc.substitutions).toEqual(['psql -c "SELECT 2"']);
  });

  it('skips comments and leading reserved words', () => {
    expect(argvs('# note\nif redis-cli ping; then echo up; fi # end')).toEqual([[['redis-cli', 'ping']], [['echo', 'up']]]);
  });

  it.each([`echo 'open`, 'echo "open', 'cat << EOF\nno end', 'echo $(open', 'echo `open'])('refuses %j', (s) => {
    expect(() => parseShell(s)).toThrow(ShellSyntaxError);
  });
});
