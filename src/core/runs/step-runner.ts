/**
 * The StepRunner port: what an executor (Docker, SSH, HTTP) is handed once a runbook step has been
 * validated and its parameters rendered. Nothing here is a template any more: every value is final.
 */
export interface DockerTarget {
  /** A container name or ID, or compose project/service labels. */
  container?: string;
  composeProject?: string;
  composeService?: string;
  /** The engine it lives on (`system/engine` in the inventory); none: the runner's default engine. */
  engine?: string;
}

export type DockerAction =
  | { action: 'exec'; argv: string[]; user?: string; workdir?: string; env?: Record<string, string> }
  | { action: 'restart' | 'stop' | 'start'; timeoutSeconds?: number }
  | { action: 'logs'; tail?: number; sinceSeconds?: number; grep?: string; ignoreCase?: boolean }
  | { action: 'stats' }
  | { action: 'ps' };

export type ResolvedCommand =
  | ({ kind: 'docker'; target: DockerTarget } & DockerAction)
  /** `command` is final shell text: every parameter in it was shell-quoted when rendered. */
  | { kind: 'ssh'; host: string; command: string }
  | {
      kind: 'http';
      method: string;
      url: string;
      headers?: Record<string, string>;
      body?: string;
      /** Skip TLS verification (self-signed health endpoints). */
      insecure?: boolean;
      /** Inventory host whose SSH tunnel carries the request: its localhost is the URL's localhost. */
      via?: string;
      /** A `prometheus:` step: the URL is an instant query; its samples are checked against this. */
      prometheus?: PrometheusCheck;
    }
  | { kind: 'manual'; instruction: string }
  | { kind: 'wait'; seconds: number }
  | { kind: 'escalate'; to: string; reason: string }
  | KubernetesCommand;

/** A Prometheus step's final query and what every sample must satisfy. */
export interface PrometheusCheck {
  query: string;
  below?: number;
  above?: number;
  /** No samples: 'fail' ("no data") or 'ok'. */
  empty: 'fail' | 'ok';
}

/** kubectl as an argv list, every element final. Runs on `host` over SSH (each element shell-quoted) or locally. */
export interface KubernetesCommand {
  kind: 'kubernetes';
  verb: string;
  /** The runbook's system, whose inventory entry gave context, namespace and host. */
  system?: string;
  /** The bastion; absent with `local` or without access in the inventory. */
  host?: string;
  local?: boolean;
  context?: string;
  namespace?: string;
  /** What the verb acts on (`deployment/redis`, `pods`, `nodes`): part of the lock key, with `selector`. */
  resource: string;
  selector?: string;
  argv: string[];
  /** rollout status: `--timeout=<the rest of the step's timeout>` is appended to argv when it runs. */
  timed?: true;
  /** restart: `rollout status`, run next with `--timeout=<the rest of the step's timeout>` appended. */
  wait?: string[];
  /** logs: keep lines matching this JavaScript regex (filtered by opsroom). */
  grep?: string;
  ignoreCase?: boolean;
}

export type StepKind = ResolvedCommand['kind'];

export interface RunOptions {
  timeoutMs: number;
  /** Aborting must stop the remote process, not only stop waiting. */
  signal: AbortSignal;
  /** Output as it arrives (already redacted by the engine's wrapper before it leaves). */
  onOutput: (chunk: string) => void;
}

export interface StepOutcome {
  /** Process exit code; for HTTP the status code; null when there is none (killed, manual). */
  exitCode: number | null;
  /** Everything the step printed, uncapped; the engine caps and redacts it. */
  output: string;
  timedOut: boolean;
  /** Set when the step could not run at all (unreachable host, unknown container, bad host key). */
  error?: string;
  /** For HTTP steps: the response status. */
  httpStatus?: number;
}

export interface StepRunner {
  readonly kinds: readonly StepKind[];
  run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome>;
  /** Release pooled connections. */
  close?(): Promise<void>;
}

/** A one-line human description of a resolved command: what the confirmation dialog shows. */
export function describeCommand(c: ResolvedCommand): string {
  switch (c.kind) {
    case 'docker': {
      const t = c.target.container ?? `${c.target.composeProject ?? '*'}/${c.target.composeService ?? '*'}`;
      if (c.action === 'exec') return `docker exec ${t} ${c.argv.join(' ')}`;
      if (c.action === 'logs') return `docker logs ${t}${c.tail ? ` --tail ${c.tail}` : ''}${c.grep ? ` | grep -E ${c.ignoreCase ? '-i ' : ''}${c.grep}` : ''}`;
      return `docker ${c.action} ${t}`;
    }
    case 'ssh': return `ssh ${c.host} ${c.command}`;
    case 'http': return describeHttp(c);
    case 'manual': return c.instruction;
    case 'wait': return `wait ${c.seconds}s`;
    case 'escalate': return `escalate to ${c.to}: ${c.reason}`;
    case 'kubernetes': return describeKubectl(c);
  }
}

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const word = (a: string) => (PLAIN_WORD.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);

/** The exact kubectl argv, as a shell would need it typed, and where it runs. */
function describeKubectl(c: KubernetesCommand): string {
  const where = c.host !== undefined ? `ssh ${c.host} ` : c.local ? '' : '(no kubernetes access in the inventory) ';
  const rest = " --timeout=<rest of the step's timeout>";
  const wait = c.wait ? ` && ${where}${c.wait.map(word).join(' ')}${rest}` : '';
  const grep = c.grep !== undefined ? ` | grep -E ${c.ignoreCase ? '-i ' : ''}${word(c.grep)}` : '';
  return `${where}${c.argv.map(word).join(' ')}${c.timed ? rest : ''}${wait}${grep}`;
}

/** What decides success, checked by the engine against the outcome. */
export interface Expectation {
  exitCode?: number;
  outputContains?: string;
  outputNotContains?: string;
  /** A regular expression source, matched against the output. */
  outputMatches?: string;
  /** A regular expression source the output must not match. */
  outputNotMatches?: string;
  /** true: nothing but blanks in the output; false: something. */
  outputEmpty?: boolean;
  httpStatus?: number[];
  bodyContains?: string;
}

export type OnFailure = { action: 'stop' } | { action: 'continue' } | { action: 'goto'; step: string };

/** Try a failed check again: `attempts` tries in all, `everyMs` apart. */
interface RetryPolicy {
  attempts: number;
  everyMs: number;
}

/** The step runs only when every step in `failed` failed and every step in `succeeded` succeeded. */
export interface StepCondition {
  failed?: string[];
  succeeded?: string[];
}

/** A runbook step ready to run: validated, parameters rendered, target resolved. */
export interface ResolvedStep {
  id: string;
  title: string;
  command: ResolvedCommand;
  danger: boolean;
  /** Changes nothing (see core/runbooks/read-only.ts): "Run diagnostics" may run it unasked. */
  readOnly?: boolean;
  timeoutMs: number;
  expect: Expectation;
  onFailure: OnFailure;
  /** Only on steps that are not dangerous. */
  retry?: RetryPolicy;
  when?: StepCondition;
  /** Redact this step's output before it leaves the executor (seeds that print secrets). */
  redact: boolean;
}

const SENSITIVE_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|key|pass/i;

/** `METHOD url (via host)`, then the headers (credentials hidden) and the body, as the request will be sent. */
function describeHttp(c: Extract<ResolvedCommand, { kind: 'http' }>): string {
  const lines = [`${c.method} ${c.url}${c.via ? ` (via ${c.via})` : ''}`];
  if (c.prometheus) lines.push(`query: ${c.prometheus.query}`, ...thresholdLines(c.prometheus));
  for (const [k, v] of Object.entries(c.headers ?? {})) lines.push(`${k}: ${SENSITIVE_HEADER.test(k) ? '[REDACTED]' : v}`);
  if (c.body !== undefined) lines.push('', c.body);
  return lines.join('\n');
}

const thresholdLines = (p: PrometheusCheck): string[] =>
  [...(p.below !== undefined ? [`every sample < ${p.below}`] : []), ...(p.above !== undefined ? [`every sample > ${p.above}`] : []), ...(p.empty === 'ok' ? ['no samples: ok'] : [])];
