/** Wraps the Slack route: a request id for every log line it causes, acknowledgement timing, one access-log line. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logContext, type Logger } from '#src/log.js';
import type { Metrics } from '#src/metrics.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** Without a route (still starting, or Socket Mode) every request gets 503 "starting". */
export function observedSlackRoute(handle: Route | undefined, d: { metrics: Metrics; log: Logger }): Route {
  return (req, res) => {
    const requestId = String(req.headers['x-request-id'] ?? randomUUID());
    const started = process.hrtime.bigint();
    d.metrics.timeAck(res);
    res.once('finish', () => {
      const retry = req.headers['x-slack-retry-num'];
      d.log.info({
        requestId, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(retry ? { retryNum: Number(retry), retryReason: req.headers['x-slack-retry-reason'] } : {}),
      }, 'slack request');
    });
    if (!handle) {
      // Still starting: answer at once (Slack retries events) instead of leaving the request hanging.
      req.resume();
      return void res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('starting\n');
    }
    logContext.run({ requestId }, () => handle(req, res));
  };
}

/** Log lines for step runs (run, step, actor, target, result), from the run engine's events. */
export function logRuns(engine: { subscribe(fn: (e: import('#core/runs/events.js').RunEvent) => void): () => void }, log: Logger) {
  return engine.subscribe((e) => {
    if (e.type === 'step.started') log.info({ runId: e.runId, stepId: e.stepId, attempt: e.attempt, actor: e.actor, target: e.target }, 'step started');
    if (e.type === 'step.finished') {
      log.info({ runId: e.runId, stepId: e.stepId, attempt: e.attempt, state: e.state, exitCode: e.exitCode, ms: e.durationMs }, 'step finished');
    }
    if (e.type === 'run.created') log.info({ runId: e.run.id, incidentId: e.run.incidentId, runbookId: e.run.runbookId }, 'run started');
  });
}
