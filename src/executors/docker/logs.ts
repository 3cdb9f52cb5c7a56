/** `docker logs [--tail N] [--since T] | grep [-i] PATTERN` for one container or a whole project. */
import type Docker from 'dockerode';
import type { Found } from './targets.js';

export interface LogsSpec {
  tail?: number;
  sinceSeconds?: number;
  grep?: string;
  ignoreCase?: boolean;
}

/** Lines of every container, prefixed `service | ` when there are several (as docker-compose does). */
export async function readLogs(docker: Docker, found: Found[], spec: LogsSpec): Promise<string> {
  const match = spec.grep ? grepMatcher(spec.grep, spec.ignoreCase ?? false) : () => true;
  const width = Math.max(...found.map((c) => (c.service ?? c.name).length));
  const out: string[] = [];
  for (const c of found) {
    const container = docker.getContainer(c.id);
    const tty = (await container.inspect()).Config.Tty;
    const raw = (await container.logs({
      follow: false, stdout: true, stderr: true,
      ...(spec.tail !== undefined && { tail: spec.tail }),
      ...(spec.sinceSeconds !== undefined && { since: Math.floor(Date.now() / 1000) - spec.sinceSeconds }),
    })) as unknown as Buffer;
    const text = tty ? raw.toString('utf8') : demux(raw);
    const prefix = found.length > 1 ? `${(c.service ?? c.name).padEnd(width)} | ` : '';
    for (const line of text.split('\n')) {
      if (line === '' || !match(line)) continue;
      out.push(prefix + line.replace(/\r$/, ''));
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/**
 * A non-TTY container's log is multiplexed: frames of [stream, 0, 0, 0, size (uint32 BE)] + payload.
 * Both streams are kept, in the order the engine wrote them.
 */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The pattern is a JavaScript regular expression (like output_matches: `error|fatal`); runbooks'
 * old grep basic regex is converted when rendered. An invalid pattern matches as plain text.
 */
export function grepMatcher(pattern: string, ignoreCase: boolean): (line: string) => boolean {
  try {
    const re = new RegExp(pattern, ignoreCase ? 'i' : '');
    return (line) => re.test(line);
  } catch {
    const needle = ignoreCase ? pattern.toLowerCase() : pattern;
    return (line) => (ignoreCase ? line.toLowerCase() : line).includes(needle);
  }
}
