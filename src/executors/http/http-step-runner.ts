/**
 * HttpStepRunner: the seeds' `curl …/health` checks. One request, no redirects followed (as curl),
 * the whole exchange bounded by the step timeout. Output is the status line and the body.
 */
import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ResolvedCommand, RunOptions, StepKind, StepOutcome, StepRunner } from '#core/runs/step-runner.js';

export interface HttpStepRunnerOptions {
  /** Body bytes kept in the output; the rest is counted and dropped. Default 64 KiB. */
  maxBodyBytes?: number;
  /** An agent whose connections go through an SSH tunnel from this inventory host (steps `via` a host). */
  tunnel?: (via: string, tls?: { rejectUnauthorized: boolean }) => Agent;
}

type HttpCommand = Extract<ResolvedCommand, { kind: 'http' }>;

export class HttpStepRunner implements StepRunner {
  readonly kinds: readonly StepKind[] = ['http'];
  private readonly maxBody: number;
  private readonly tunnel?: HttpStepRunnerOptions['tunnel'];

  constructor(options: HttpStepRunnerOptions = {}) {
    this.maxBody = options.maxBodyBytes ?? 64 * 1024;
    this.tunnel = options.tunnel;
  }

  async run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    if (command.kind !== 'http') return failed(`HttpStepRunner cannot run a ${command.kind} step`);
    let url: URL;
    try {
      url = new URL(command.url);
    } catch {
      return failed(`Invalid URL: ${command.url}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed(`Unsupported URL scheme ${url.protocol} (http or https)`);
    let agent: Agent | undefined;
    if (command.via !== undefined) {
      if (!this.tunnel) return failed(`No SSH tunnel for via host "${command.via}": it is not in the inventory`);
      // TLS, when asked, runs inside the tunnel, end to end with the server.
      agent = this.tunnel(command.via, url.protocol === 'https:' ? { rejectUnauthorized: !command.insecure } : undefined);
    }
    return this.exchange(url, command, options, agent);
  }

  private exchange(url: URL, c: HttpCommand, options: RunOptions, agent?: Agent): Promise<StepOutcome> {
    return new Promise((resolve) => {
      let output = '';
      let status: number | undefined;
      let settled = false;
      const emit = (text: string) => { output += text; options.onOutput(text); };
      const finish = (o: Omit<StepOutcome, 'output'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve({ ...o, output, ...(status !== undefined && { httpStatus: status }) });
      };
      const ac = new AbortController();
      let stopped: 'timeout' | 'abort' | undefined;
      const timer = setTimeout(() => { stopped = 'timeout'; ac.abort(); }, options.timeoutMs);
      const onAbort = () => { stopped ??= 'abort'; ac.abort(); };
      options.signal.addEventListener('abort', onAbort, { once: true });
      if (options.signal.aborted) onAbort();

      // Through a tunnel the agent hands over a connection (TLS already set up when https).
      const send = url.protocol === 'https:' && !agent ? httpsRequest : httpRequest;
      const headers = { 'user-agent': 'opsroom', ...(c.headers ?? {}) };
      const req = send(url, {
        method: c.method.toUpperCase(),
        headers,
        signal: ac.signal,
        ...(agent && { agent, protocol: 'http:' }),
        ...(url.protocol === 'https:' && c.insecure && { rejectUnauthorized: false }),
      }, (res: IncomingMessage) => {
        status = res.statusCode;
        emit(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() + '\n');
        let kept = 0;
        let dropped = 0;
        res.on('data', (chunk: Buffer) => {
          const room = this.maxBody - kept;
          if (room > 0) {
            const part = chunk.subarray(0, room);
            kept += part.length;
            emit(part.toString('utf8'));
          }
          dropped += Math.max(0, chunk.length - Math.max(room, 0));
        });
        res.on('end', () => {
          if (dropped > 0) emit(`\n… ${dropped} more bytes of body not shown\n`);
          finish({ exitCode: null, timedOut: false });
        });
        res.on('error', (e) => onError(e));
      });
      const onError = (e: Error) => {
        if (stopped === 'timeout') return finish({ exitCode: null, timedOut: true });
        if (stopped === 'abort') return finish({ exitCode: null, timedOut: false, error: 'cancelled' });
        const code = (e as NodeJS.ErrnoException).code;
        const prefix = code && !e.message.includes(code) ? `${code} ` : '';
        const via = c.via ? ` (via ${c.via})` : '';
        finish({ exitCode: null, timedOut: false, error: `${c.method.toUpperCase()} ${c.url}${via} failed: ${prefix}${e.message}`.trim() });
      };
      req.on('error', onError);
      if (c.body !== undefined) req.write(c.body);
      req.end();
    });
  }
}

function failed(error: string): StepOutcome {
  return { exitCode: null, output: '', timedOut: false, error };
}
