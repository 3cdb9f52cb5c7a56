import { parseShell, ShellSyntaxError, type Pipeline, type SimpleCommand } from './shell-words.js';
import { shellQuote, shellScriptIndex, substitute, verbatim } from './templates.js';

/**
 * The SQL statements (psql) and Redis commands (redis-cli) a runbook's steps run, found in docker
 * exec argv lists and scripts, kubernetes exec commands, ssh commands and manual commands, through
 * wrappers (`docker exec`, `kubectl exec … --`, `sh -c`, `$(…)`, here-documents, `echo … |`,
 * Django's `manage.py dbshell --`).
 */

export type StepPlace = 'docker' | 'ssh' | 'kubernetes' | 'manual';

interface Found {
  stepId: string;
  /** Index of the step in `steps`. */
  step: number;
  place: StepPlace;
  /** The text searched for the step's line: the statement or command as written. */
  needle: string;
}

export interface PsqlCall extends Found {
  /** psql's arguments without connection options (-h, -p, -U, -d, -W, -w, database and user names). */
  args: string[];
  database?: string;
  /** What psql reads on stdin: a here-document's or echo's text, or a file (which cannot be read here). */
  stdin?: { text: string; expands?: boolean } | { file: string };
  /** Files given with -f/--file. */
  files: string[];
  /** The SQL: -c values, then stdin text. */
  sql: string[];
}

export interface RedisCall extends Found {
  /** redis-cli options without connection ones (-h, -p, -s, -a, -u, --user, --pass, --askpass, TLS). */
  options: string[];
  /** The command and its arguments (empty for modes such as --bigkeys or --latency). */
  command: string[];
  /** `-n`: the database number. */
  db?: number;
  /** A `| grep …` reading the output: grep's arguments. */
  grep?: string[];
}

export interface StepQueries {
  sql: PsqlCall[];
  redis: RedisCall[];
  /** Commands that could not be split (unterminated quote…), with the reason. */
  errors: { step: number; stepId: string; place: StepPlace; message: string }[];
}

export type RawStep = Record<string, unknown> & { id?: unknown };

const WRAPPERS = new Set(['docker', 'docker-compose', 'kubectl', 'sudo', 'env', 'runuser', 'exec', 'time', 'timeout', 'nice', 'podman']);
const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

const PSQL_VALUE = new Set(['-c', '-d', '-f', '-v', '-o', '-L', '-F', '-P', '-R', '-T', '-h', '-p', '-U']);
const PSQL_LONG_VALUE = new Set(['--command', '--dbname', '--file', '--set', '--variable', '--host', '--port', '--username', '--output', '--log-file', '--field-separator', '--pset', '--record-separator', '--table-attr']);
const PSQL_CONNECTION = new Set(['-h', '-p', '-U', '-d', '--host', '--port', '--username', '--dbname']);

const REDIS_VALUE = new Set(['-h', '-p', '-s', '-a', '-u', '-r', '-i', '-n', '-d', '-D', '--user', '--pass', '--sni', '--cacert', '--cacertdir', '--cert', '--key', '--tls-ciphers', '--tls-ciphersuites', '--lru-test', '--rdb', '--functions-rdb', '--pipe-timeout', '--memkeys-samples', '--pattern', '--quoted-pattern', '--count', '--intrinsic-latency', '--eval']);
const REDIS_CONNECTION = new Set(['-h', '-p', '-s', '-a', '-u', '--user', '--pass', '--askpass', '--tls', '--insecure', '--sni', '--cacert', '--cacertdir', '--cert', '--key', '--tls-ciphers', '--tls-ciphersuites', '--no-auth-warning']);

/**
 * A step with parameter values in its commands, quoted as render.ts quotes them: shell text gets
 * single-quoted words, argv elements the bare value (a shell script element is shell text).
 */
export function withValues(step: RawStep, values: Record<string, string>): RawStep {
  const shell = (v: unknown) => (typeof v === 'string' ? substitute(v, values, shellQuote) : v);
  const argv = (v: unknown) => {
    if (!Array.isArray(v)) return v;
    const script = shellScriptIndex(v.map(String));
    return v.map((a, i) => substitute(String(a), values, i === script ? shellQuote : verbatim));
  };
  const out: RawStep = { ...step };
  const docker = step.docker as { exec?: unknown } | undefined;
  if (docker) out.docker = { ...docker, exec: Array.isArray(docker.exec) ? argv(docker.exec) : shell(docker.exec) };
  const kube = step.kubernetes as { command?: unknown } | undefined;
  if (kube?.command) out.kubernetes = { ...kube, command: argv(kube.command) };
  const ssh = step.ssh as { command?: unknown } | undefined;
  if (ssh) out.ssh = { ...ssh, command: shell(ssh.command) };
  const manual = step.manual as { command?: unknown } | undefined;
  if (manual && typeof manual === 'object') out.manual = { ...manual, command: shell(manual.command) };
  return out;
}

/** Every psql and redis-cli call of a runbook's steps (given as parsed YAML, before validation). */
export function runbookQueries(steps: readonly RawStep[]): StepQueries {
  const out: StepQueries = { sql: [], redis: [], errors: [] };
  steps.forEach((s, step) => {
    const stepId = String(s.id ?? step);
    const at = (place: StepPlace) => ({ step, stepId, place });
    const docker = s.docker as { exec?: unknown } | undefined;
    const kube = s.kubernetes as { exec?: unknown; command?: unknown } | undefined;
    const ssh = s.ssh as { command?: unknown } | undefined;
    const manual = s.manual as { command?: unknown } | undefined;
    try {
      if (Array.isArray(docker?.exec)) fromArgv(docker.exec.map(String), at('docker'), out);
      else if (typeof docker?.exec === 'string') fromScript(docker.exec, at('docker'), out);
      if (kube?.exec !== undefined && Array.isArray(kube.command)) fromArgv(kube.command.map(String), at('kubernetes'), out);
      if (typeof ssh?.command === 'string') fromScript(ssh.command, at('ssh'), out);
      if (typeof manual?.command === 'string') fromScript(manual.command, at('manual'), out);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      out.errors.push({ ...at(kube ? 'kubernetes' : docker ? 'docker' : ssh ? 'ssh' : 'manual'), message: e.message });
    }
  });
  return out;
}

type At = Omit<Found, 'needle'>;

function fromScript(script: string, at: At, out: StepQueries) {
  for (const pipeline of parseShell(script)) fromPipeline(pipeline, at, out);
}

function fromArgv(argv: string[], at: At, out: StepQueries) {
  fromPipeline([{ argv, redirects: [], substitutions: [] }], at, out);
}

function fromPipeline(pipeline: Pipeline, at: At, out: StepQueries) {
  pipeline.forEach((cmd, i) => {
    for (const sub of cmd.substitutions) fromScript(sub, at, out);
    const script = shellScriptIndex(cmd.argv);
    if (script >= 0) return fromScript(cmd.argv[script], at, out);
    const psql = programAt(cmd.argv, 'psql');
    if (psql >= 0) out.sql.push(psqlCall(cmd, psql, pipeline[i - 1], at));
    // Django's `manage.py dbshell [-- psql arguments]` runs psql with the project's database.
    const dbshell = cmd.argv.findIndex((w, k) => w === 'dbshell' && base(cmd.argv[k - 1] ?? '') === 'manage.py');
    if (psql < 0 && dbshell >= 0) {
      const dash = cmd.argv.indexOf('--', dbshell);
      out.sql.push(psqlCall({ ...cmd, argv: ['psql', ...(dash >= 0 ? cmd.argv.slice(dash + 1) : [])] }, 0, pipeline[i - 1], at));
    }
    const redis = programAt(cmd.argv, 'redis-cli');
    if (redis >= 0) out.redis.push(redisCall(cmd.argv.slice(redis + 1), pipeline[i + 1], at));
  });
}

/** Whether argv[index] is the program run: first (after VAR=value words) or after wrappers. */
function isCall(argv: string[], index: number): boolean {
  const first = argv.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return index === first || (first >= 0 && index > first && WRAPPERS.has(base(argv[first])));
}

function programAt(argv: string[], name: string): number {
  const i = argv.findIndex((w) => base(w) === name);
  return i >= 0 && isCall(argv, i) ? i : -1;
}

function psqlCall(cmd: SimpleCommand, at: number, before: SimpleCommand | undefined, where: At): PsqlCall {
  const argv = cmd.argv.slice(at + 1);
  const args: string[] = [];
  const files: string[] = [];
  const sql: string[] = [];
  const positional: string[] = [];
  let database: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    const long = /^(--[a-z-]+)(?:=(.*))?$/s.exec(w);
    let opt: string | undefined;
    let value: string | undefined;
    if (long && PSQL_LONG_VALUE.has(long[1])) [opt, value] = [long[1], long[2] ?? argv[++i]];
    else if (/^-[A-Za-z]/.test(w) && PSQL_VALUE.has(w.slice(0, 2))) [opt, value] = [w.slice(0, 2), w.length > 2 ? w.slice(2) : argv[++i]];
    if (opt === undefined) {
      if (w.startsWith('-') && w !== '-') {
        if (w !== '-W' && w !== '-w' && w !== '--password' && w !== '--no-password') args.push(w);
      } else positional.push(w);
      continue;
    }
    if (opt === '-d' || opt === '--dbname') database = value;
    if (PSQL_CONNECTION.has(opt)) continue;
    if (opt === '-c' || opt === '--command') sql.push(value ?? '');
    if (opt === '-f' || opt === '--file') files.push(value ?? '');
    args.push(opt, value ?? '');
  }
  database ??= positional[0];
  const stdin = psqlStdin(cmd, before);
  if (stdin && 'text' in stdin) sql.push(stdin.text);
  const needle = firstLine(sql[0] ?? 'psql');
  return { ...where, needle, args, database, stdin, files, sql };
}

function psqlStdin(cmd: SimpleCommand, before: SimpleCommand | undefined): PsqlCall['stdin'] {
  if (cmd.heredoc) return { text: cmd.heredoc.body, expands: cmd.heredoc.expands };
  const redirect = cmd.redirects.find((r) => (r.op === '<' || r.op === '<<<') && (r.fd ?? '0') === '0');
  if (redirect?.op === '<<<') return { text: `${redirect.target}\n` };
  if (redirect) return { file: redirect.target };
  if (before && base(before.argv[0] ?? '') === 'echo') {
    const words = before.argv.slice(1);
    while (/^-[neE]+$/.test(words[0] ?? '')) words.shift();
    return { text: `${words.join(' ')}\n` };
  }
  if (before && base(before.argv[0] ?? '') === 'cat' && before.argv.length === 2) return { file: before.argv[1] };
  return undefined;
}

function redisCall(argv: string[], after: SimpleCommand | undefined, where: At): RedisCall {
  const options: string[] = [];
  let db: number | undefined;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-') && argv[i].length > 1; i++) {
    const opt = argv[i];
    const takes = REDIS_VALUE.has(opt);
    const value = takes ? argv[++i] : undefined;
    if (opt === '-n') db = Number(value);
    if (REDIS_CONNECTION.has(opt)) continue;
    options.push(opt, ...(value === undefined ? [] : [value]));
  }
  const command = argv.slice(i);
  const grep = after && base(after.argv[0] ?? '') === 'grep' ? after.argv.slice(1) : undefined;
  const needle = command.length ? command.join(' ') : (options[0] ?? 'redis-cli');
  return { ...where, needle, options, command, db, grep };
}

const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find(Boolean) ?? s;
