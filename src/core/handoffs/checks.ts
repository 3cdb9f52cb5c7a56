/** Handoff checks through the run engine: a stored run of the checks runbook, its diagnostic steps run in order. */
import { CodedError, ErrorCode } from '../errors.js';
import { renderRunbook } from '../runbooks/render.js';
import type { Runbook } from '../runbooks/schema.js';
import type { RunEngine } from '../runs/engine.js';
import type { RunStore } from '../runs/ports.js';
import type { ResolvedStep } from '../runs/step-runner.js';
import type { CheckResult, HandoffChecks } from './ports.js';

export interface EngineChecksDeps {
  engine: RunEngine;
  store: RunStore;
  runbookId: string;
  /** The runbook's steps rendered with its defaults (throws CodedError when it cannot be). */
  steps: () => Promise<{ steps: ResolvedStep[]; params: Record<string, unknown>; secrets?: string[] }>;
}

/**
 * Dangerous, manual, escalation and restart-like steps are never run at handoff time (they are
 * reported as skipped); every other step runs, and one failure does not stop the rest.
 */
export class EngineChecks implements HandoffChecks {
  constructor(private readonly d: EngineChecksDeps) {}

  get runbookId() {
    return this.d.runbookId;
  }

  async run(actor: string): Promise<CheckResult[]> {
    const { steps, params, secrets } = await this.d.steps();
    const run = await this.d.engine.start({ runbookId: this.d.runbookId, incidentId: null, params, startedBy: actor, steps }, { secrets });
    const { results } = await this.d.engine.runDiagnostics(run.id, { actor, secrets });
    const byStep = new Map(results.map((r) => [r.stepId, r]));
    return (await this.d.store.steps(run.id)).map((s) => {
      const r = byStep.get(s.stepId);
      const out = r ? (r.reason ?? lastLine(r.output.text)) : 'not run at handoff time';
      return { stepId: s.stepId, title: s.step.title, state: r ? r.state : 'skipped', detail: out };
    });
  }
}

const lastLine = (text: string | undefined) => (text ?? '').trim().split('\n').at(-1)?.slice(0, 200) ?? '';

/** The checks runbook's steps from a catalog, rendered with its parameter defaults. */
export function catalogSteps(
  runbookId: string,
  find: (id: string) => Runbook | undefined,
): EngineChecksDeps['steps'] {
  return async () => {
    const runbook = find(runbookId);
    if (!runbook) throw new CodedError(ErrorCode.NotFound, `handoff.checks names runbook "${runbookId}", which is not in the catalog`);
    const r = renderRunbook(runbook, {});
    return { steps: r.steps, params: r.params, secrets: r.secrets };
  };
}
