/**
 * Every psql and redis-cli call of the shipped runbooks (runbooks/), with parameter values filled
 * in (defaults, else REQUIRED_PARAMS, else a value of the parameter's type) and the file:line of
 * the step's command, for sql.test.ts and redis.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runbookQueries, withValues, type PsqlCall, type RawStep, type RedisCall, type StepPlace } from '#core/runbooks/queries.js';
import { YamlSource } from '#core/runbooks/yaml-source.js';
import { REQUIRED_PARAMS, ROOT, RUNBOOKS } from './seeds-fixtures.js';

export interface Where {
  /** `runbooks/<team>/<id>.yml:<line>` */
  at: string;
  runbook: string;
  /** The step, with the parameter values in its commands. */
  raw: RawStep;
}

export interface ShippedQueries {
  sql: (PsqlCall & Where)[];
  redis: (RedisCall & Where)[];
  errors: string[];
}

type RawParam = { type?: string; default?: string | number; min?: number; values?: string[] };

/** A value for each parameter: its default, the fixture value, else one of its type. */
function sampleValues(runbook: string, params: Record<string, RawParam> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(params)) {
    const given = REQUIRED_PARAMS[runbook]?.[name] ?? p.default;
    if (given !== undefined) out[name] = String(given);
    else if (p.type === 'integer') out[name] = String(p.min ?? 1);
    else if (p.type === 'enum' && p.values?.length) out[name] = p.values[0];
    else if (p.type === 'duration') out[name] = '1m';
    else out[name] = 'sample';
  }
  return out;
}

/** A step's `expect` checked against output of its command on a healthy target (read-only steps unless `writes`). */
export function expectationProblem(call: Where & { stepId: string }, output: string, writes = false): string | undefined {
  const step = call.raw as { read_only?: boolean; expect?: Record<string, unknown> };
  const e = step.expect;
  if ((!step.read_only && !writes) || !e) return undefined;
  const fail = (what: string) => `${call.at} step ${call.stepId}: on a healthy target the output ${what}:\n${output}`;
  if (typeof e.exit_code === 'number') return undefined; // checked by the caller with the exit code
  if (typeof e.output_contains === 'string' && !output.includes(e.output_contains)) return fail(`lacks ${e.output_contains}`);
  if (typeof e.output_not_contains === 'string' && output.includes(e.output_not_contains)) return fail(`has ${e.output_not_contains}`);
  if (typeof e.output_matches === 'string' && !new RegExp(e.output_matches, 'm').test(output)) return fail(`does not match ${e.output_matches}`);
  if (typeof e.output_not_matches === 'string' && new RegExp(e.output_not_matches, 'm').test(output)) return fail(`matches ${e.output_not_matches}`);
  if (e.output_empty === true && output.trim() !== '') return fail('is not empty');
  return undefined;
}

const KEY_OF: Record<StepPlace, string> = { docker: 'exec', ssh: 'command', kubernetes: 'command', manual: 'command' };

/** The queries of one runbook file's text. */
export function queriesOf(file: string, text: string, runbook: string): ShippedQueries {
  const { source, value, errors } = YamlSource.parse(file, text);
  if (errors.length) return { sql: [], redis: [], errors: errors.map((e) => `${e.file}:${e.line} ${e.message}`) };
  const doc = value as { steps?: RawStep[]; params?: Record<string, RawParam> };
  const values = sampleValues(runbook, doc.params);
  const out: ShippedQueries = { sql: [], redis: [], errors: [] };
  const steps = (doc.steps ?? []).map((s) => {
    try {
      return withValues(s, values);
    } catch (e) {
      out.errors.push(`${file}: step ${String(s.id)}: ${(e as Error).message}`);
      return s;
    }
  });
  const found = runbookQueries(steps);
  const where = (q: { step: number; place: StepPlace; needle: string }): Where => {
    const e = source.atPath(['steps', q.step, q.place, KEY_OF[q.place]], '', undefined, q.needle);
    return { at: `${file}:${e.line}`, runbook, raw: steps[q.step] };
  };
  out.sql.push(...found.sql.map((q) => ({ ...q, ...where(q) })));
  out.redis.push(...found.redis.map((q) => ({ ...q, ...where(q) })));
  out.errors.push(...found.errors.map((e) => `${file}: step ${e.stepId}: ${e.message}`));
  return out;
}

/** The queries of every runbook under runbooks/, in file order. */
export function shippedQueries(): ShippedQueries {
  const all: ShippedQueries = { sql: [], redis: [], errors: [] };
  for (const team of readdirSync(RUNBOOKS).sort())
    for (const name of readdirSync(join(RUNBOOKS, team)).filter((f) => f.endsWith('.yml')).sort()) {
      const path = join(RUNBOOKS, team, name);
      const q = queriesOf(relative(ROOT, path), readFileSync(path, 'utf8'), `${team}/${name.replace(/\.yml$/, '')}`);
      all.sql.push(...q.sql);
      all.redis.push(...q.redis);
      all.errors.push(...q.errors);
    }
  return all;
}

/** `runbook#step` of every step whose command text names `program` as a word, found or not. */
export function stepsNaming(program: string): string[] {
  const word = new RegExp(`(^|[\\s"'/(;|&])${program.replace('-', '\\-')}($|[\\s"';|)])`);
  const out: string[] = [];
  for (const team of readdirSync(RUNBOOKS).sort())
    for (const name of readdirSync(join(RUNBOOKS, team)).filter((f) => f.endsWith('.yml')).sort()) {
      const { value } = YamlSource.parse(name, readFileSync(join(RUNBOOKS, team, name), 'utf8'));
      for (const s of (value as { steps?: RawStep[] })?.steps ?? []) {
        const k = s as { docker?: { exec?: unknown }; ssh?: { command?: unknown }; kubernetes?: { command?: unknown }; manual?: { command?: unknown } };
        const texts = [k.docker?.exec, k.ssh?.command, k.kubernetes?.command, typeof k.manual === 'object' ? k.manual?.command : undefined];
        if (texts.some((t) => t !== undefined && word.test(Array.isArray(t) ? t.join(' ') : String(t))))
          out.push(`${team}/${name.replace(/\.yml$/, '')}#${String(s.id)}`);
      }
    }
  return out;
}
