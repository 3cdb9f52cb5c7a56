/**
 * The remote side of a step. The rendered command runs under `sh -c`, inside `timeout -s KILL`
 * (one second past our own deadline, so it ends even when the connection is gone), after printing
 * its PID on stderr. sshd made that PID a session and process-group leader, so a second channel can
 * `kill -KILL -- -PID` the whole command on timeout or abort (channel signals are refused for root).
 */

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const PID_MARKER = 'opsroom-pid:';

export function wrapWithTimeout(command: string, timeoutMs: number | undefined): string {
  const q = shellQuote(command);
  const marker = `printf '${PID_MARKER}%s\\n' "$$" >&2; `;
  const seconds = timeoutMs === undefined ? 0 : Math.ceil(timeoutMs / 1000) + 1;
  const inner = seconds === 0
    ? `${marker}exec sh -c ${q}`
    : `${marker}if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL ${seconds} sh -c ${q}; else exec sh -c ${q}; fi`;
  // `exec` keeps the PID sshd started, whatever the login shell is.
  return `exec sh -c ${shellQuote(inner)}`;
}

export function killCommand(pid: number): string {
  return `kill -KILL -- -${pid} 2>/dev/null; kill -KILL ${pid} 2>/dev/null; true`;
}

/** Splits the marker line off the start of stderr; `undefined` until the first line is complete. */
export class PidLine {
  pid: number | undefined;
  private pending: string | undefined = '';

  /** Returns the text that belongs to the command's own stderr. */
  feed(text: string): string {
    if (this.pending === undefined) return text;
    this.pending += text;
    const nl = this.pending.indexOf('\n');
    if (nl < 0) return '';
    const first = this.pending.slice(0, nl);
    const rest = this.pending.slice(nl + 1);
    this.pending = undefined;
    if (first.startsWith(PID_MARKER)) {
      this.pid = Number(first.slice(PID_MARKER.length)) || undefined;
      return rest;
    }
    return `${first}\n${rest}`;
  }
}
