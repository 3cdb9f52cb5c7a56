/**
 * Checking runbooks against the live inventory, changing nothing: each step's target is probed
 * (probes.ts), then the read-only diagnostics run (the steps "Run diagnostics" would run, as
 * diagnosticPlan picks them). A diagnostic that cannot run (its target or program is missing, the
 * host refuses) is a problem; one that runs and finds the system unwell (a failed expectation, an
 * HTTP 503) is not the runbook's fault and is left to routines and incidents. Dangerous steps are never sent, not even a GET.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { Inventory } from '../inventory/schema.js';
import type { LoadedRunbook } from '../runbooks/loader.js';
import { renderRunbook } from '../runbooks/render.js';
import { diagnosticPlan, judge } from '../runs/expect.js';
import { Redactor } from '../runs/redact.js';
import type { ResolvedStep, StepOutcome, StepRunner } from '../runs/step-runner.js';
import { probeOf } from './probes.js';

interface Problem { runbook: string; step: string | null; file: string; line: number; message: string }

export interface VerifyReport {
  /** Runbooks checked, fitting or not. */
  checked: string[];
  /** Runbooks that could not be checked (a required parameter without a default), and why. */
  skipped: { runbook: string; reason: string }[];
  problems: Problem[];
}

export interface VerifyOptions {
  /** Values never shown in a problem (the inventory's secrets). */
  secrets?: readonly string[];
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

function stepLines(file: string): (i: number) => number {
  const counter = new LineCounter();
  let doc: ReturnType<typeof parseDocument> | undefined;
  try {
    doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: counter });
  } catch {
    doc = undefined;
  }
  return (i) => {
    const node = doc?.getIn(['steps', i], true) as { range?: [number, number] } | undefined;
    return node?.range ? counter.linePos(node.range[0]).line : 1;
  };
}

const failed = (e: unknown): StepOutcome => ({ exitCode: null, output: '', error: (e as Error).message, timedOut: false });

export async function verifyRunbooks(runbooks: readonly LoadedRunbook[], inventory: Inventory, runner: StepRunner, o: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { checked: [], skipped: [], problems: [] };
  const hide = new Redactor({ secrets: o.secrets ?? [] });
  const run = (c: ResolvedStep['command'], timeoutMs: number) =>
    runner.run(c, { timeoutMs, signal: new AbortController().signal, onOutput: () => undefined }).catch(failed);
  for (const rb of runbooks) {
    const needed = Object.entries(rb.params).filter(([, p]) => p.required && p.default === undefined).map(([n]) => n);
    if (needed.length) {
      report.skipped.push({ runbook: rb.id, reason: `needs ${needed.join(', ')} (no default)` });
      continue;
    }
    report.checked.push(rb.id);
    const lineOf = stepLines(rb.file);
    const add = (step: string | null, line: number, message: string) => report.problems.push({ runbook: rb.id, step, file: rb.file, line, message: hide.redact(message) });
    let steps: ResolvedStep[];
    try {
      const defaults = Object.fromEntries(Object.entries(rb.params).filter(([, p]) => p.default !== undefined).map(([n, p]) => [n, String(p.default)]));
      steps = renderRunbook(rb, defaults, { env: o.env ?? process.env }, inventory).steps;
    } catch (e) {
      add(null, 1, `cannot render with its defaults: ${(e as Error).message}`);
      continue;
    }
    const broken = new Set<string>();
    for (const [i, s] of steps.entries()) {
      const probe = s.danger && s.command.kind === 'http' ? undefined : probeOf(s.command);
      if (!probe) continue;
      const message = probeProblem(s, probe, await run(probe.command, Math.min(s.timeoutMs, o.timeoutMs ?? 15_000)));
      if (!message) continue;
      broken.add(s.id);
      add(s.id, lineOf(i), message);
    }
    // The diagnostics: run as "Run diagnostics" would, the probed ones aside.
    const plan = diagnosticPlan(steps.map((step) => ({ stepId: step.id, state: 'pending', step })));
    for (const id of plan) {
      const i = steps.findIndex((s) => s.id === id);
      const s = steps[i];
      const c = s.command;
      if (broken.has(id) || c.kind === 'wait' || c.kind === 'http' || (c.kind === 'docker' && c.action === 'ps')) continue;
      const outcome = await run(c, Math.min(s.timeoutMs, o.timeoutMs ?? 15_000));
      const why = outcome.timedOut ? 'timed out' : outcome.error ?? (outcome.exitCode === 126 || outcome.exitCode === 127 ? `exit ${outcome.exitCode}: ${outcome.output.trim().split('\n').pop()}` : null);
      if (why) add(id, lineOf(i), `${c.kind} diagnostic could not run: ${why}`);
    }
  }
  return report;
}

function probeProblem(s: ResolvedStep, probe: ReturnType<typeof probeOf> & {}, outcome: StepOutcome): string | null {
  const kind = s.command.kind;
  // An endpoint that answers is there, whatever it says (a 503, an unexpected body or query result
  // is the system's state, for routines and incidents); one that is not found or gone is not.
  if (kind === 'http' && outcome.httpStatus !== undefined && !outcome.timedOut)
    return outcome.httpStatus === 404 || outcome.httpStatus === 410 ? `http answered ${outcome.httpStatus}: the endpoint is not there` : null;
  if (outcome.error || outcome.timedOut) return `${kind} ${hostKeyWords(outcome.error ?? 'timed out')}`;
  if (kind === 'ssh') {
    const missing = outcome.output.split('\n').map((l) => l.trim()).filter((l) => probe.programs?.includes(l));
    return missing.length ? `ssh ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed there` : null;
  }
  if (kind === 'docker') return /\S/.test(outcome.output.split('\n').slice(1).join('\n')) ? null : 'docker no container matches';
  if (kind === 'http') return null;
  const verdict = judge({ command: probe.command, expect: {} }, outcome);
  if (verdict.state === 'succeeded') return kind === 'kubernetes' && !outcome.output.trim() ? 'kubernetes no resource matches' : null;
  const said = outcome.output.trim().split('\n').pop()?.slice(0, 300);
  return `${kind} ${verdict.reason ?? verdict.state}${said ? `: ${said}` : ''}`;
}

/** A refused host key says so plainly: the host changed, or someone stands in for it. */
function hostKeyWords(error: string): string {
  return /^Host key for .* does not match/.test(error) ? `host key changed: ${error}` : error;
}
