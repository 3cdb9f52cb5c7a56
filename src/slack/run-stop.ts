/**
 * Stop on a running step's output message: the person who started the step, or a responder. The
 * stop is stored and reaches the replica running the step (RunEngine.requestStop); the step ends
 * interrupted, "stopped by …", and the run board puts that on the message and the timeline.
 */
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Remediation } from './remediation.js';

export async function stopStep(r: Remediation, user: string, runId: number, stepId: string, attempt: number): Promise<void> {
  const { step } = await r.load(runId, stepId);
  const a = (await r.d.runs.attempts(runId, stepId)).find((x) => x.number === attempt);
  if (!a) throw new CodedError(ErrorCode.NotFound, 'That attempt is gone.');
  if (step!.state !== 'running' || step!.attempts !== attempt) throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is not running any more.`);
  if (a.actor !== user && !(await r.d.policy.responder(user))) {
    throw new CodedError(ErrorCode.Forbidden, 'Only the person who started this step or the responders configured in opsroom.yml may stop it.');
  }
  await r.d.engine.requestStop(runId, stepId, user, attempt);
}
