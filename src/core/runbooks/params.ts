import { said, unsaid } from '../said.js';
import { CodedError, ErrorCode } from '../errors.js';
import { isDuration } from './duration.js';
import type { Runbook, RunbookParam } from './schema.js';

/** Incident fields a parameter can take its value from (`from: incident.service`). */
export interface IncidentContext {
  service?: string | null;
  severity?: string | null;
  title?: string | null;
}

const MAX_PARAM_LENGTH = 1000;

/** Control characters, and invisible format characters (bidi overrides, zero-width) that mislead a reader. */
const UNSAFE_CHARS = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Compiles a parameter pattern anchored to the whole value. */
const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`, 'u');

/**
 * Checks one value against its declaration. Returns the value as text, or a reason it is refused.
 * Rules (all types): at most 1000 characters, no control or invisible format characters (NUL,
 * newline, bidi overrides...), and no leading "-" unless `allow_leading_dash` (a value that starts
 * with "-" could be read as an option by the command it is passed to).
 */
export function checkParamValue(spec: RunbookParam, raw: string | number): { value: string } | { error: string } {
  const value = typeof raw === 'number' ? String(raw) : raw;
  if (value.length > MAX_PARAM_LENGTH) return { error: `is longer than ${MAX_PARAM_LENGTH} characters` };
  if (UNSAFE_CHARS.test(value)) return { error: 'contains a control or invisible character' };
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(value)) return { error: `must be an integer, got ${said(JSON.stringify(value))}` };
      const n = Number(value);
      if (n < 0 && !spec.allow_leading_dash && !(spec.min !== undefined && spec.min < 0))
        return { error: `must not be negative (it could be read as an option) unless min allows it, got ${n}` };
      if (spec.min !== undefined && n < spec.min) return { error: `must be at least ${spec.min}, got ${n}` };
      if (spec.max !== undefined && n > spec.max) return { error: `must be at most ${spec.max}, got ${n}` };
      return { value: String(n) };
    }
    case 'duration':
      return isDuration(value) ? { value } : { error: `must be a duration like 30s, 5m, 1h, got ${said(JSON.stringify(value))}` };
    case 'enum':
      return spec.values?.includes(value)
        ? { value }
        : { error: `must be one of ${(spec.values ?? []).join(', ')}, got ${said(JSON.stringify(value))}` };
    case 'string': {
      if (value.startsWith('-') && !spec.allow_leading_dash)
        return { error: `must not start with "-" (it could be read as an option), got ${said(JSON.stringify(value))}` };
      if (spec.pattern !== undefined && !anchored(spec.pattern).test(value))
        return { error: `must match ${spec.pattern}, got ${said(JSON.stringify(value))}` };
      return { value };
    }
  }
}

/** Where values not given by the person come from. */
export interface ValueSources {
  incident?: IncidentContext;
  /** The bot's environment, for `from: env.NAME` parameters. */
  env?: Record<string, string | undefined>;
  /** When set, `env.NAME` must be one of these (the inventory's `secrets`). */
  allowedEnv?: readonly string[];
  /** The labels of the alert that opened the incident, for `from: alert.labels.NAME`. */
  alert?: { labels: Record<string, string> };
}

/** The environment variable a parameter reads (`from: env.NAME`), if any. */
export const envNameOf = (spec: RunbookParam): string | undefined =>
  spec.from?.startsWith('env.') ? spec.from.slice(4) : undefined;

function fromSource(spec: RunbookParam, src: ValueSources): string | undefined {
  if (!spec.from) return undefined;
  const envName = envNameOf(spec);
  const v = envName
    ? src.env?.[envName]
    : spec.from.startsWith('alert.labels.')
      ? src.alert?.labels[spec.from.slice('alert.labels.'.length)]
      : src.incident?.[spec.from.slice('incident.'.length) as keyof IncidentContext];
  return v === null || v === undefined || v === '' ? undefined : v;
}

/**
 * Resolves every declared parameter: the value given, else the source named by `from` (incident
 * field or environment variable), else the default. Unknown names, missing required values and
 * invalid values are all reported together in one CodedError(bad_input).
 */
export function resolveParams(
  runbook: Pick<Runbook, 'params'> & { id?: string },
  given: Record<string, string | number | undefined>,
  sources: ValueSources = {},
): Record<string, string> {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const name of Object.keys(given))
    if (!(name in runbook.params) && given[name] !== undefined)
      problems.push(`unknown parameter "${name}" (declared: ${Object.keys(runbook.params).join(', ') || 'none'})`);
  for (const [name, spec] of Object.entries(runbook.params)) {
    const envName = envNameOf(spec);
    // Reading the environment is what the allow-list governs; a value given by the person reads nothing.
    if (envName && given[name] === undefined && sources.allowedEnv && !sources.allowedEnv.includes(envName)) {
      problems.push(`parameter "${name}" reads ${envName}, which is not in the inventory's secrets`);
      continue;
    }
    const raw = given[name] ?? fromSource(spec, sources) ?? spec.default;
    if (raw === undefined) {
      const hint = envName ? ` (set ${envName} in the environment)` : spec.description ? ` (${spec.description})` : '';
      if (spec.required) problems.push(`parameter "${name}" is required${hint}`);
      else out[name] = '';
      continue;
    }
    const r = checkParamValue(spec, raw);
    // Never echo a secret value back in an error.
    const error = 'error' in r && isSecret(spec) ? r.error.replace(/, got .*$/, '') : 'error' in r ? r.error : undefined;
    if (error !== undefined) problems.push(`parameter "${name}" ${error}`);
    else if ('value' in r) out[name] = r.value;
  }
  if (problems.length)
    throw new CodedError(ErrorCode.BadInput, problems.join('; '), { runbook: runbook.id, problems: problems.map(unsaid) });
  return out;
}

/** Secret parameters: marked `secret`, or read from the environment. */
const isSecret = (spec: RunbookParam): boolean => spec.secret || envNameOf(spec) !== undefined;

/** Values of parameters marked `secret`, for redaction. */
export const secretValues = (runbook: Pick<Runbook, 'params'>, values: Record<string, string>): string[] =>
  Object.entries(runbook.params)
    .filter(([n, p]) => isSecret(p) && values[n])
    .map(([n]) => values[n]);
