import { said } from '../said.js';
import { CodedError, ErrorCode } from '../errors.js';
import { targetProblem } from '../inventory/allow.js';
import type { Inventory } from '../inventory/schema.js';
import { readOnly } from '../runs/expect.js';
import type { DockerTarget, Expectation, OnFailure, ResolvedCommand, ResolvedStep, StepCondition } from '../runs/step-runner.js';
import { durationMs } from './duration.js';
import { renderKubernetes } from './kubectl.js';
import { renderPrometheus } from './prometheus-render.js';
import { KUBERNETES_WRITE_VERBS, kubernetesVerbOf } from './kubernetes-step.js';
import { readOnlyWith } from './read-only.js';
import { secretToChosenHost } from './secret-hosts.js';
import { resolveParams, secretValues, type IncidentContext } from './params.js';
import type { Runbook, RunbookStep } from './schema.js';
import { dockerTargetOf, DOCKER_NAME_RE } from './targets.js';
import { hostProblem, httpTarget, resolveTarget, withContentType } from './render-targets.js';
import { renderGrep, regexQuote, shellQuote, shellScriptIndex, substitute, verbatim } from './templates.js';

/**
 * Rendering: parameter values go into a runbook's templates, quoted for where they land:
 * - ssh `command` and docker `exec` strings with `shell: true`: POSIX single-quoted, so each value
 *   is exactly one shell word whatever it contains;
 * - docker `exec` argv lists: substituted inside their element, never split (no shell runs);
 * - http `url`: percent-encoded; logs `grep` (grep basic regex) and `output_matches` (JS regex): escaped;
 * - docker target names: substituted, then must be a valid Docker name;
 * - other text (titles, instructions, headers, bodies): as is.
 * Values were validated first (resolveParams): no control characters, no leading "-" unless the
 * parameter allows it, pattern/enum/integer/duration rules.
 */

const DEFAULT_TIMEOUT_MS = { docker: 60_000, ssh: 60_000, http: 30_000, manual: 3_600_000, wait: 0, escalate: 30_000, kubernetes: 60_000 } as const;

export interface RenderContext {
  incident?: IncidentContext;
  /** The alert that opened the incident, for `from: alert.labels.NAME` parameters. */
  alert?: { labels: Record<string, string> };
  /** The bot's environment, for `from: env.NAME` parameters (only names in the inventory's secrets). */
  env?: Record<string, string | undefined>;
}

export interface RenderedRunbook {
  steps: ResolvedStep[];
  /** The final parameter values. */
  params: Record<string, string>;
  /** Values of `secret` parameters: redact them wherever output or commands are shown. */
  secrets: string[];
}

/** Validates the given values, then renders every step. Throws CodedError(bad_input). */
export function renderRunbook(
  runbook: Runbook,
  given: Record<string, string | number | undefined>,
  ctx: RenderContext = {},
  inventory?: Inventory,
): RenderedRunbook {
  const params = resolveParams(runbook, given, {
    incident: ctx.incident,
    alert: ctx.alert,
    env: ctx.env,
    // Without an inventory no environment variable is a listed secret, so none may be read.
    allowedEnv: inventory?.secrets ?? [],
  });
  for (const s of runbook.steps) {
    const leak = secretToChosenHost(runbook, s);
    if (leak) throw new CodedError(ErrorCode.InvalidRunbook, leak);
  }
  const steps = runbook.steps.map((s) => renderStep(runbook, s, params, inventory));
  if (inventory)
    for (const s of steps) {
      const problem = targetProblem(s.command, inventory);
      if (problem) throw new CodedError(ErrorCode.BadInput, `step ${s.id}: ${problem}`);
    }
  return { steps, params, secrets: secretValues(runbook, params) };
}

/** The contract form: validated, rendered steps ready for a StepRunner. */
export function renderSteps(
  runbook: Runbook,
  params: Record<string, string | number | undefined>,
  ctx: RenderContext = {},
  inventory?: Inventory,
): ResolvedStep[] {
  return renderRunbook(runbook, params, ctx, inventory).steps;
}

function renderStep(rb: Runbook, s: RunbookStep, values: Record<string, string>, inv?: Inventory): ResolvedStep {
  const sub = (text: string, quote: (v: string) => string) => substitute(text, values, quote);
  const command = renderCommand(rb, s, sub, inv);
  const kind = command.kind;
  const waitMs = command.kind === 'wait' ? command.seconds * 1000 : 0;
  // A kubectl verb that changes the cluster is dangerous whatever the step says (lint refuses danger: false).
  const danger = (s.danger ?? false) || (s.kubernetes !== undefined && (KUBERNETES_WRITE_VERBS as readonly string[]).includes(kubernetesVerbOf(s.kubernetes)));
  const timeoutMs = Math.max(s.timeout !== undefined ? durationMs(s.timeout) : DEFAULT_TIMEOUT_MS[kind], waitMs + 5000);
  const step: ResolvedStep = {
    id: s.id,
    title: sub(s.title, verbatim),
    command,
    danger,
    readOnly: readOnlyWith(s, (text) => sub(text, verbatim)),
    timeoutMs,
    expect: renderExpect(s, sub),
    onFailure: renderOnFailure(s.on_failure ?? rb.defaults?.on_failure ?? 'stop'),
    ...(s.when ? { when: renderWhen(s.when) } : {}),
    redact: s.redact,
  };
  // Only checks are tried again: never anything that may change something.
  if (s.retry && readOnly(step)) step.retry = { attempts: s.retry.attempts, everyMs: durationMs(s.retry.every) };
  return step;
}

type Sub = (text: string, quote: (v: string) => string) => string;

function renderCommand(rb: Runbook, s: RunbookStep, sub: Sub, inv?: Inventory): ResolvedCommand {
  if (s.docker) return renderDocker(rb, s.docker, sub, inv);
  if (s.ssh) {
    const host = s.ssh.host ?? rb.ssh?.host;
    if (!host) throw new CodedError(ErrorCode.InvalidRunbook, `step ${s.id}: ssh step has no host`);
    if (inv && !inv.hosts[host])
      throw new CodedError(ErrorCode.NotFound, `step ${s.id}: host "${host}" is not in the inventory`, { host });
    const foreign = inv && hostProblem(inv, rb.id, host);
    if (foreign) throw new CodedError(ErrorCode.BadInput, `step ${s.id}: ${foreign}`);
    return { kind: 'ssh', host, command: sub(s.ssh.command, shellQuote) };
  }
  if (s.http) {
    const h = s.http;
    const headers = withContentType(h.headers && Object.fromEntries(Object.entries(h.headers).map(([k, v]) => [k, sub(v, verbatim)])), h.body);
    const { url, via } = httpTarget(rb, s.id, h, sub, inv);
    return {
      kind: 'http',
      method: h.method,
      url,
      ...(via ? { via } : {}),
      ...(headers ? { headers } : {}),
      ...(h.body !== undefined ? { body: sub(h.body, verbatim) } : {}),
      ...(h.insecure ? { insecure: true } : {}),
    };
  }
  if (s.manual !== undefined) {
    if (typeof s.manual === 'string') return { kind: 'manual', instruction: sub(s.manual, verbatim) };
    const cmd = s.manual.command !== undefined ? `\n$ ${sub(s.manual.command, verbatim)}` : '';
    return { kind: 'manual', instruction: sub(s.manual.instruction, verbatim) + cmd };
  }
  if (s.wait !== undefined) return { kind: 'wait', seconds: durationMs(s.wait) / 1000 };
  if (s.kubernetes) return renderKubernetes(rb.id, s.id, s.kubernetes, sub, inv);
  if (s.prometheus) return renderPrometheus(rb, s.id, s.prometheus, sub, inv);
  if (s.escalate) return { kind: 'escalate', to: sub(s.escalate.to, verbatim), reason: sub(s.escalate.reason, verbatim) };
  throw new CodedError(ErrorCode.InvalidRunbook, `step ${s.id} has no kind`);
}

function renderDocker(rb: Runbook, d: NonNullable<RunbookStep['docker']>, sub: Sub, inv?: Inventory): ResolvedCommand {
  const fields = dockerTargetOf(d, rb.docker?.project);
  const target: DockerTarget = {};
  const name = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined;
    const out = sub(v, verbatim);
    if (!DOCKER_NAME_RE.test(out)) throw new CodedError(ErrorCode.BadInput, `docker ${what} "${said(out)}" is not a valid name`);
    return out;
  };
  const container = name(fields.container, 'container');
  const project = name(fields.project, 'project');
  const service = name(fields.service, 'service');
  if (container !== undefined) target.container = container;
  if (project !== undefined) target.composeProject = project;
  if (service !== undefined) target.composeService = service;
  const base = { kind: 'docker' as const, target: resolveTarget(rb, target, inv) };
  if (d.exec !== undefined) {
    const script = typeof d.exec === 'string' ? -1 : shellScriptIndex(d.exec);
    const argv = typeof d.exec === 'string'
      ? ['sh', '-c', sub(d.exec, shellQuote)]
      : d.exec.map((a, i) => sub(a, i === script ? shellQuote : verbatim));
    return {
      ...base,
      action: 'exec',
      argv,
      ...(d.user !== undefined ? { user: sub(d.user, verbatim) } : {}),
      ...(d.workdir !== undefined ? { workdir: sub(d.workdir, verbatim) } : {}),
      ...(d.env ? { env: Object.fromEntries(Object.entries(d.env).map(([k, v]) => [k, sub(v, verbatim)])) } : {}),
    };
  }
  for (const action of ['restart', 'stop'] as const) {
    const o = d[action];
    if (o === undefined) continue;
    const t = typeof o === 'object' && o.timeout !== undefined ? { timeoutSeconds: Math.ceil(durationMs(o.timeout) / 1000) } : {};
    return { ...base, action, ...t };
  }
  if (d.start) return { ...base, action: 'start' };
  if (d.logs !== undefined) {
    const l = d.logs === true ? { ignore_case: false } : d.logs;
    return {
      ...base,
      action: 'logs',
      ...('tail' in l && l.tail !== undefined ? { tail: l.tail } : {}),
      ...('since' in l && l.since !== undefined ? { sinceSeconds: Math.ceil(durationMs(l.since) / 1000) } : {}),
      ...('grep' in l && l.grep !== undefined ? { grep: renderGrep(l.grep, sub) } : {}),
      ...(l.ignore_case ? { ignoreCase: true } : {}),
    };
  }
  if (d.stats) return { ...base, action: 'stats' };
  return { ...base, action: 'ps' };
}

function renderExpect(s: RunbookStep, sub: Sub): Expectation {
  const e = s.expect ?? {};
  const out: Expectation = {};
  const runsProcess = s.ssh !== undefined || s.kubernetes !== undefined || (s.docker?.exec !== undefined);
  const exit = e.exit_code ?? (runsProcess ? 0 : undefined);
  if (exit !== undefined) out.exitCode = exit;
  if (e.output_contains !== undefined) out.outputContains = sub(e.output_contains, verbatim);
  if (e.output_not_contains !== undefined) out.outputNotContains = sub(e.output_not_contains, verbatim);
  if (e.output_matches !== undefined) out.outputMatches = sub(e.output_matches, regexQuote);
  if (e.output_not_matches !== undefined) out.outputNotMatches = sub(e.output_not_matches, regexQuote);
  if (e.output_empty !== undefined) out.outputEmpty = e.output_empty;
  // expect.status / body_contains, or the old http.expect_status / expect_body.
  const status = e.status ?? s.http?.expect_status;
  if (status !== undefined) out.httpStatus = Array.isArray(status) ? status : [status];
  const body = e.body_contains ?? s.http?.expect_body;
  if (body !== undefined) out.bodyContains = sub(body, verbatim);
  return out;
}

const renderOnFailure = (f: NonNullable<RunbookStep['on_failure']>): OnFailure =>
  typeof f === 'object' ? { action: 'goto', step: f.goto } : { action: f };

const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function renderWhen(w: NonNullable<RunbookStep['when']>): StepCondition {
  const failed = list(w.failed);
  const succeeded = list(w.succeeded);
  return { ...(failed ? { failed } : {}), ...(succeeded ? { succeeded } : {}) };
}
