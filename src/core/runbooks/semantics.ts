import { parseSeverity, type Severity } from '../incidents/severity.js';
import { systemOf, type Inventory } from '../inventory/schema.js';
import { hostProblem } from './render-targets.js';
import { resolveBase, resolveDocker } from './resolve.js';
import { destructiveReason } from './destructive.js';
import { checkFlow } from './flow-lint.js';
import { checkKubernetes, kubernetesTemplatedFields } from './kubernetes-lint.js';
import { checkEscalation } from './escalation.js';
import { checkPromql } from './promql-lint.js';
import { checkQueries } from './query-lint.js';
import { readOnlyProblem } from './read-only.js';
import { secretToChosenHost } from './secret-hosts.js';
import { checkParamValue, envNameOf } from './params.js';
import { stepKind, type Runbook, type RunbookStep } from './schema.js';
import { isBreGrep, scanTemplates, shellContextAt, shellScriptIndex, substitute, type TemplateRef } from './templates.js';
import { dockerTargetOf, DOCKER_NAME_RE, type TargetFields } from './targets.js';
import type { Path, SourceError, YamlSource } from './yaml-source.js';

export interface SemanticOptions {
  /** The id the file's path gives it (`minimarket/dashboard-down`); `id:` must equal it. */
  expectedId?: string;
  /** Known severities; the runbook's `severity` must resolve to one (ids, aliases, SEV1...). */
  severities?: readonly Severity[];
  /**
   * Per-system severity names (opsroom.yml `severityAliases`, e.g. { ai-multimodel: { P0: P1 } }).
   * The system is the first segment of the runbook id.
   */
  severityAliases?: Record<string, Record<string, string>>;
  /** When given, ssh hosts must exist in it (and docker targets, if it lists projects/containers). */
  inventory?: Inventory;
}

/** How a templated string is used, which decides how values are quoted and what is checked. */
type Context = 'shell' | 'argv' | 'url' | 'regex' | 'grep' | 'name' | 'text';

interface Field {
  path: Path;
  value: string;
  context: Context;
}

/** Pass 2: meaning. Runs on a runbook that passed the schema; returns every problem found. */
export function checkSemantics(given: Runbook, src: YamlSource, opts: SemanticOptions = {}): SourceError[] {
  // The system (first folder) comes from the id, written or given by the file's path.
  const rb: Runbook = given.id === undefined && opts.expectedId !== undefined ? { ...given, id: opts.expectedId } : given;
  const errors: SourceError[] = [];
  const err = (path: Path, message: string, keyOf?: string, needle?: string, nth?: number) =>
    errors.push(src.atPath(path, message, keyOf, needle, nth));

  if (given.id !== undefined && opts.expectedId !== undefined && given.id !== opts.expectedId)
    err(['id'], `id "${rb.id}" must equal the file's path "${opts.expectedId}" (or be left out)`);
  if (rb.severity !== undefined && opts.severities && !knownSeverity(rb.severity, opts))
    err(['severity'], `unknown severity "${rb.severity}" (known: ${opts.severities.map((s) => s.id).join(', ')})`);
  // The incident a failing routine opens: opened by severity id, alias or SEV1-style name (no system names).
  const opens = rb.schedule?.on_failure?.open;
  if (opens !== undefined && opts.severities && !parseSeverity(opens, opts.severities))
    err(['schedule', 'on_failure', 'open'], `unknown severity "${opens}" (known: ${opts.severities.map((s) => s.id).join(', ')})`);

  checkParams(rb, err);
  if (opts.inventory)
    for (const [name, p] of Object.entries(rb.params)) {
      const env = envNameOf(p);
      if (env && !opts.inventory.secrets.includes(env))
        err(['params', name, 'from'], `parameter "${name}" reads ${env}: list it in the inventory's secrets so its value is always redacted`);
    }
  checkStepIds(rb, err);
  checkFlow(rb, err);
  if (rb.ssh && opts.inventory && !opts.inventory.hosts[rb.ssh.host]) err(['ssh', 'host'], unknownHost(rb.ssh.host, opts.inventory));
  else if (rb.ssh && opts.inventory && hostProblem(opts.inventory, rb.id, rb.ssh.host)) err(['ssh', 'host'], hostProblem(opts.inventory, rb.id, rb.ssh.host)!);
  if (rb.docker && !DOCKER_NAME_RE.test(rb.docker.project))
    err(['docker', 'project'], `"${rb.docker.project}" is not a valid compose project name (no templates here)`);

  const used = new Set<string>();
  rb.steps.forEach((step, i) => {
    for (const f of templatedFields(step, ['steps', i])) checkField(f, rb, used, err);
    checkStep(rb, step, i, opts.inventory, err);
    if (step.kubernetes) checkKubernetes(opts.expectedId ?? rb.id, step, ['steps', i, 'kubernetes'], opts.inventory, err);
    checkPromql(step, ['steps', i], err);
  });
  checkQueries(rb.steps, err);
  checkEscalation(rb.escalate, rb.steps.map((s) => s.id), err);
  for (const name of Object.keys(rb.params))
    if (!used.has(name)) err(['params'], `parameter "${name}" is declared but never used`, name);
  return errors;
}

/** A severity id, alias, `SEV1`-style name, or a name the runbook's system maps to one. */
function knownSeverity(name: string, opts: SemanticOptions): boolean {
  const severities = opts.severities ?? [];
  if (parseSeverity(name, severities)) return true;
  const system = opts.expectedId?.includes('/') ? opts.expectedId.split('/')[0] : undefined;
  const map = system ? opts.severityAliases?.[system] : undefined;
  const key = map && Object.keys(map).find((k) => k.toLowerCase() === name.toLowerCase());
  return key !== undefined && parseSeverity(map![key], severities) !== undefined;
}

const unknownHost = (host: string, inv: Inventory) =>
  `unknown host "${host}" (inventory has: ${Object.keys(inv.hosts).join(', ') || 'no hosts'})`;

type Report = (path: Path, message: string, keyOf?: string, needle?: string, nth?: number) => void;

function checkParams(rb: Runbook, err: Report) {
  for (const [name, p] of Object.entries(rb.params)) {
    const at: Path = ['params', name];
    if (p.type === 'enum' && !p.values) err(at, `parameter "${name}": an enum needs values`);
    if (p.type !== 'enum' && p.values) err([...at, 'values'], `parameter "${name}": values only apply to type enum`);
    if (p.type !== 'string' && p.pattern !== undefined)
      err([...at, 'pattern'], `parameter "${name}": pattern only applies to type string`);
    if (p.type !== 'integer' && (p.min !== undefined || p.max !== undefined))
      err(at, `parameter "${name}": min/max only apply to type integer`);
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) err(at, `parameter "${name}": min is above max`);
    if (p.pattern !== undefined) {
      try {
        new RegExp(p.pattern, 'u');
      } catch (e) {
        err([...at, 'pattern'], `parameter "${name}": invalid pattern: ${(e as Error).message}`);
        continue;
      }
    }
    if (p.default !== undefined) {
      const r = checkParamValue(p, p.default);
      if ('error' in r) err([...at, 'default'], `parameter "${name}": default ${r.error}`);
    }
  }
}

function checkStepIds(rb: Runbook, err: Report) {
  const index = new Map<string, number>();
  rb.steps.forEach((s, i) => {
    if (index.has(s.id)) err(['steps', i, 'id'], `duplicate step id "${s.id}" (first at step ${index.get(s.id)! + 1})`);
    else index.set(s.id, i);
  });
  rb.steps.forEach((s, i) => {
    if (typeof s.on_failure !== 'object') return;
    const target = index.get(s.on_failure.goto);
    const at: Path = ['steps', i, 'on_failure', 'goto'];
    if (target === undefined) err(at, `goto "${s.on_failure.goto}": no such step`);
    // Only forward jumps: a backward one could repeat a failing step forever.
    else if (target <= i) err(at, `goto "${s.on_failure.goto}" jumps backwards; a goto must name a later step (no loops)`);
  });
}

function checkField(f: Field, rb: Runbook, used: Set<string>, err: Report) {
  const { refs, malformed } = scanTemplates(f.value);
  // Which occurrence of the same text a template is, to point at it in the file.
  const nth = (r: TemplateRef) => refs.filter((o) => o.text === r.text && o.index < r.index).length;
  for (const i of malformed)
    err(f.path, `malformed template "${f.value.slice(i, i + 20)}": write {{ name }} with a declared parameter`, undefined, '{{', f.value.slice(0, i).split('{{').length - 1);
  for (const r of refs) {
    used.add(r.name);
    if (!(r.name in rb.params)) err(f.path, `{{ ${r.name} }} is not a declared parameter`, undefined, r.text, nth(r));
  }
  if (f.context === 'shell' && refs.length) {
    const ctx = shellContextAt(f.value, refs.map((r) => r.index));
    for (const r of refs) {
      const where = ctx.get(r.index);
      if (where === 'heredoc')
        err(f.path, `{{ ${r.name} }} is in a here-document, where quoting does not hold; pass it as an argument or an environment variable (NAME={{ ${r.name} }} cmd)`, undefined, r.text, nth(r));
      else if (where !== 'none')
        err(f.path, `{{ ${r.name} }} is inside quotes; opsroom quotes parameters itself, remove the quotes around it`, undefined, r.text, nth(r));
    }
  }
  const sample = Object.fromEntries(refs.map((r) => [r.name, 'x']));
  let probe: string;
  try {
    probe = substitute(f.value, sample, (v) => v);
  } catch {
    return;
  }
  if (f.context === 'url') {
    let url: URL | undefined;
    try {
      url = new URL(probe);
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      err(f.path, `"${f.value}" is not an http:// or https:// URL`);
  }
  if (f.context === 'regex' || (f.context === 'grep' && !isBreGrep(f.value))) {
    try {
      new RegExp(probe);
    } catch (e) {
      err(f.path, `invalid regular expression: ${(e as Error).message}`);
    }
  }
  if (f.context === 'name' && !refs.length && !DOCKER_NAME_RE.test(f.value))
    err(f.path, `"${f.value}" is not a valid container, project or service name`);
}

function checkStep(rb: Runbook, step: RunbookStep, i: number, inv: Inventory | undefined, err: Report) {
  const at: Path = ['steps', i];
  const kind = stepKind(step);
  const destructive = step.danger === undefined ? destructiveReason(step) : undefined;
  if (destructive)
    err([...at, 'id'], `step "${step.id}" looks like it changes state ("${destructive}"): set danger: true, or danger: false if it is safe`);
  const leak = secretToChosenHost(rb, step);
  if (leak) err([...at, 'http', 'url'], leak);
  const readOnly = readOnlyProblem(step);
  if (readOnly) err([...at, 'read_only'], `step "${step.id}": ${readOnly}`);
  if (step.expect && (kind === 'manual' || kind === 'wait' || kind === 'escalate'))
    err([...at, 'expect'], `a ${kind} step has no output to check; remove expect`);
  if (step.expect?.exit_code !== undefined && kind === 'http')
    err([...at, 'expect', 'exit_code'], 'an http step has no exit code; use expect.status');
  if (step.ssh) {
    const host = step.ssh.host ?? rb.ssh?.host;
    if (!host) err([...at, 'ssh'], 'ssh step needs a host (or set ssh.host on the runbook)');
    // The runbook's default host is checked once, in checkSemantics.
    else if (inv && step.ssh.host && !inv.hosts[host]) err([...at, 'ssh', 'host'], unknownHost(host, inv));
    else if (inv?.hosts[host] && hostProblem(inv, rb.id, host)) err([...at, 'ssh', 'host'], hostProblem(inv, rb.id, host)!);
  }
  if (step.http && inv) {
    const h = step.http;
    const base = h.base !== undefined ? resolveBase(systemOf(inv, rb.id), h.base) : undefined;
    if (typeof base === 'string') err([...at, 'http', 'base'], base);
    if (h.via !== undefined && !inv.hosts[h.via]) err([...at, 'http', 'via'], unknownHost(h.via, inv));
    else if (h.via !== undefined && hostProblem(inv, rb.id, h.via)) err([...at, 'http', 'via'], hostProblem(inv, rb.id, h.via)!);
  }
  if (step.docker) checkDocker(rb, step.docker, [...at, 'docker'], inv, err);
  const promBase = step.prometheus && inv ? resolveBase(systemOf(inv, rb.id), step.prometheus.base) : undefined;
  if (typeof promBase === 'string') err([...at, 'prometheus', 'base'], promBase);
}

function checkDocker(rb: Runbook, d: NonNullable<RunbookStep['docker']>, at: Path, inv: Inventory | undefined, err: Report) {
  const t: TargetFields = dockerTargetOf(d, rb.docker?.project);
  if (d.container && (d.project || d.service)) err(at, 'name a container or a compose project/service, not both');
  const single = t.container !== undefined || t.service !== undefined;
  if (d.exec !== undefined && !single) err(at, 'exec needs one container: set container or service');
  if ((d.logs || d.restart || d.stop || d.start) && !single && t.project === undefined)
    err(at, 'this docker step needs a target: container, service or project (or docker.project on the runbook)');
  if (t.service !== undefined && t.project === undefined)
    err(at, 'service needs a compose project: set project here or docker.project on the runbook');
  if (inv) checkDockerTarget(rb, d, t, at, inv, err);
}

/** Literal names against the runbook's system in the inventory (templated ones are checked when rendered). */
function checkDockerTarget(rb: Runbook, d: NonNullable<RunbookStep['docker']>, t: TargetFields, at: Path, inv: Inventory, err: Report) {
  const literal = (v?: string) => v === undefined || (!v.includes('{{') && DOCKER_NAME_RE.test(v));
  if (!literal(t.container) || !literal(t.project) || !literal(t.service)) return;
  if (t.container === undefined && t.project === undefined) return;
  const system = systemOf(inv, rb.id);
  if (!system) return err(at, `system "${rb.id?.split('/')[0]}" is not in the inventory (systems:): its Docker targets cannot be found`);
  const r = resolveDocker(system, t);
  if (typeof r !== 'string') return;
  const path = t.container !== undefined ? [...at, 'container'] : /^service /.test(r) ? [...at, 'service'] : d.project ? [...at, 'project'] : ['docker', 'project'];
  err(path, r);
}

/** Every string of a step that may hold templates, with how it is used. */
function templatedFields(s: RunbookStep, at: Path): Field[] {
  const out: Field[] = [];
  const add = (path: Path, value: string | undefined, context: Context) => {
    if (value !== undefined) out.push({ path: [...at, ...path], value, context });
  };
  add(['title'], s.title, 'text');
  add(['note'], s.note, 'text');
  if (s.docker) {
    const d = s.docker;
    add(['docker', 'container'], d.container, 'name');
    add(['docker', 'project'], d.project, 'name');
    add(['docker', 'service'], d.service, 'name');
    if (typeof d.exec === 'string') add(['docker', 'exec'], d.exec, 'shell');
    else if (d.exec) {
      const script = shellScriptIndex(d.exec);
      d.exec.forEach((a, j) => add(['docker', 'exec', j], a, j === script ? 'shell' : 'argv'));
    }
    add(['docker', 'user'], d.user, 'argv');
    add(['docker', 'workdir'], d.workdir, 'argv');
    for (const [k, v] of Object.entries(d.env ?? {})) add(['docker', 'env', k], v, 'argv');
    if (typeof d.logs === 'object') add(['docker', 'logs', 'grep'], d.logs.grep, 'grep');
  }
  if (s.ssh) add(['ssh', 'command'], s.ssh.command, 'shell');
  if (s.kubernetes) for (const f of kubernetesTemplatedFields(s.kubernetes)) add(['kubernetes', ...f.path], f.value, f.context);
  if (s.http) {
    add(['http', 'url'], s.http.url, 'url');
    add(['http', 'path'], s.http.path, 'text');
    for (const [k, v] of Object.entries(s.http.headers ?? {})) add(['http', 'headers', k], v, 'text');
    add(['http', 'body'], s.http.body, 'text');
    add(['http', 'expect_body'], s.http.expect_body, 'text');
  }
  if (s.prometheus) for (const k of ['query', 'below', 'above'] as const) if (typeof s.prometheus[k] === 'string') add(['prometheus', k], s.prometheus[k] as string, 'text');
  if (typeof s.manual === 'string') add(['manual'], s.manual, 'text');
  else if (s.manual) {
    add(['manual', 'instruction'], s.manual.instruction, 'text');
    add(['manual', 'command'], s.manual.command, 'text');
  }
  if (s.escalate) {
    add(['escalate', 'to'], s.escalate.to, 'text');
    add(['escalate', 'reason'], s.escalate.reason, 'text');
  }
  add(['expect', 'output_contains'], s.expect?.output_contains, 'text');
  add(['expect', 'output_not_contains'], s.expect?.output_not_contains, 'text');
  add(['expect', 'output_matches'], s.expect?.output_matches, 'regex');
  add(['expect', 'output_not_matches'], s.expect?.output_not_matches, 'regex');
  add(['expect', 'body_contains'], s.expect?.body_contains, 'text');
  return out;
}
