import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';
import { KubernetesStepSchema } from './kubernetes-step.js';
import { PrometheusStepSchema } from './prometheus-step.js';
import { ScheduleSchema } from '../routines/schedule.js';

/**
 * The runbook format: one YAML file per runbook. Every object is strict (unknown keys are errors).
 * Pass 1 of validation is this schema; pass 2 (semantics.ts) checks references and templates.
 * Strings in steps may hold `{{ param }}` templates; see render.ts for how each place quotes them.
 */

const text = (description: string) => z.string().min(1).describe(description);

const DurationSchema = z
  .union([
    z.string().regex(new RegExp(DURATION_PATTERN), 'expected a duration like 10s, 2m, 1h30m'),
    z.number().positive(),
  ], { error: 'expected a duration like 10s, 2m, 1h30m, or a number of seconds' })
  .describe('A duration: `500ms`, `10s`, `2m`, `1h30m`, or a number of seconds.');

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const StepIdSchema = z
  .string()
  .regex(ID_RE, 'step ids are lowercase letters, digits, "-" and "_"')
  .describe('Step id, unique in the runbook.');
const ParamNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, 'parameter names are lowercase letters, digits and "_"');

/** `from: env.ADMIN_TOKEN`: a secret from the bot's environment. */
const ENV_FROM_RE = /^env\.[A-Za-z_][A-Za-z0-9_]*$/;
/** `from: alert.labels.instance`: a label of the alert that opened the incident. */
const ALERT_FROM_RE = /^alert\.labels\.[A-Za-z_][A-Za-z0-9_]*$/;

const ParamSchema = z
  .strictObject({
    type: z.enum(['string', 'enum', 'integer', 'duration']).default('string'),
    description: z.string().optional(),
    pattern: z.string().optional().describe('Regular expression the whole value must match (anchored for you).'),
    values: z.array(z.string().min(1)).min(1).optional().describe('Allowed values of an enum parameter.'),
    min: z.number().int().optional().describe('Smallest allowed integer.'),
    max: z.number().int().optional().describe('Largest allowed integer.'),
    default: z.union([z.string(), z.number()]).optional(),
    required: z.boolean().default(true).describe('A required parameter with no value refuses to run.'),
    from: z
      .union([
        z.enum(['incident.service', 'incident.severity', 'incident.title']),
        z.string().regex(ENV_FROM_RE, 'expected incident.service, incident.severity, incident.title, env.NAME or alert.labels.NAME'),
        z.string().regex(ALERT_FROM_RE, 'expected incident.service, incident.severity, incident.title, env.NAME or alert.labels.NAME'),
      ], { error: 'expected incident.service, incident.severity, incident.title, env.NAME or alert.labels.NAME' })
      .optional()
      .describe(
        'Where the value comes from when the person running the runbook gives none: an incident field, ' +
          'env.NAME, an environment variable listed in the inventory `secrets` (always redacted), ' +
          'or alert.labels.NAME, a label of the alert that opened the incident (Alertmanager, Grafana).',
      ),
    secret: z.boolean().default(false).describe('Redact this value from output and the audit log.'),
    allow_leading_dash: z
      .boolean()
      .default(false)
      .describe('Allow values starting with "-" (refused by default: they could be read as options).'),
  })
  .describe('A typed runbook parameter, used as {{ name }} in steps.');

const Restart = z.union([z.literal(true), z.strictObject({ timeout: DurationSchema.optional() })], {
  error: 'expected true or { timeout: <duration> }',
});

const LogsSchema = z.strictObject({
  tail: z.number().int().positive().optional().describe('Last N lines (taken before filtering).'),
  since: DurationSchema.optional().describe('Only lines newer than this.'),
  grep: z
    .string()
    .min(1)
    .optional()
    .describe('Keep lines matching this regular expression (JavaScript, like output_matches: `error|fatal`).'),
  ignore_case: z.boolean().default(false),
});

const DOCKER_ACTIONS = ['exec', 'restart', 'stop', 'start', 'logs', 'stats', 'ps'] as const;

const DockerStepSchema = z
  .strictObject({
    container: z.string().min(1).optional().describe('Container name or id.'),
    project: z.string().min(1).optional().describe('Compose project (label com.docker.compose.project).'),
    service: z.string().min(1).optional().describe('Compose service (label com.docker.compose.service).'),
    exec: z
      .union([z.array(z.string()).min(1), z.string().min(1)])
      .optional()
      .describe('argv list run without a shell; a string only with `shell: true` (run by sh -c).'),
    shell: z.boolean().optional().describe('Run a string `exec` through `sh -c`.'),
    user: z.string().min(1).optional(),
    workdir: z.string().min(1).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    restart: Restart.optional(),
    stop: Restart.optional(),
    start: z.literal(true).optional(),
    logs: z.union([z.literal(true), LogsSchema]).optional(),
    stats: z.literal(true).optional().describe('One-shot CPU and memory.'),
    ps: z.literal(true).optional().describe('List the target containers and their state.'),
  })
  .superRefine((d, ctx) => {
    const actions = DOCKER_ACTIONS.filter((a) => d[a] !== undefined);
    if (actions.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: actions.length
          ? `a docker step does one thing; found ${actions.join(', ')}`
          : `a docker step needs one of: ${DOCKER_ACTIONS.join(', ')}`,
      });
    if (typeof d.exec === 'string' && d.shell !== true)
      ctx.addIssue({
        code: 'custom',
        path: ['exec'],
        message: 'exec is a string: give an argv list, or set `shell: true` to run it through sh -c',
      });
    if (d.shell && typeof d.exec !== 'string')
      ctx.addIssue({ code: 'custom', path: ['shell'], message: '`shell: true` needs `exec` as one string' });
    for (const k of ['user', 'workdir', 'env'] as const)
      if (d[k] !== undefined && d.exec === undefined)
        ctx.addIssue({ code: 'custom', path: [k], message: `${k} only applies to exec` });
  })
  .describe('A Docker Engine operation on a container or compose service.');

const SshStepSchema = z.strictObject({
  host: z.string().min(1).optional().describe('Host name from the inventory (default: runbook `ssh.host`).'),
  command: text('Shell command run on the host; {{ params }} are single-quoted for you.'),
});

const HttpStepSchema = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  url: text('http:// or https:// URL; {{ params }} are percent-encoded. Or give base + path.').optional(),
  base: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'base is the name of an HTTP base of the system in the inventory (systems.<name>.http)')
    .optional()
    .describe('An HTTP base of the runbook\'s system in the inventory (`dashboard`); the request goes `via` its host when it names one.'),
  path: z.string().regex(/^\//, 'path starts with "/"').optional().describe('Path (and query) after the base; {{ params }} are percent-encoded.'),
  via: z.string().min(1).optional().describe('Send the request through an SSH tunnel from this inventory host (default: the base\'s `via`).'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).optional(),
  body: z.string().optional(),
  expect_status: z
    .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
    .optional()
    .describe('Old form of expect.status (lint --fix rewrites it).'),
  expect_body: z.string().min(1).optional().describe('Old form of expect.body_contains (lint --fix rewrites it).'),
  insecure: z.boolean().default(false).describe('Skip TLS verification (self-signed health endpoints).'),
}).superRefine((h, ctx) => {
  if ((h.url === undefined) === (h.base === undefined))
    ctx.addIssue({ code: 'custom', message: 'an http step needs url, or base (with path): one of them' });
  if (h.path !== undefined && h.base === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'path goes with base' });
});

const ManualStepSchema = z.union([
  text('What the person must do and confirm.'),
  z.strictObject({
    instruction: text('What the person must do and confirm.'),
    command: z.string().min(1).optional().describe('A command opsroom cannot run itself, shown to the person.'),
  }),
]);

const EscalateStepSchema = z.strictObject({
  to: text('Who to page: an escalation policy or team name.'),
  reason: text('Why; shown in the page.'),
});

const StatusSchema = z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]);

const ExpectSchema = z.strictObject({
  exit_code: z.number().int().optional().describe('Required exit code (default 0 for exec and ssh).'),
  output_contains: z.string().min(1).optional(),
  output_not_contains: z.string().min(1).optional(),
  output_matches: z.string().min(1).optional().describe('A regular expression (JavaScript) the output must match.'),
  output_not_matches: z.string().min(1).optional().describe('A regular expression (JavaScript) the output must not match.'),
  output_empty: z
    .boolean()
    .optional()
    .describe('true: the output must be empty (only blanks counts as empty); false: it must not be.'),
  status: StatusSchema.optional().describe('HTTP steps: accepted status codes (default: any 2xx or 3xx).'),
  body_contains: z.string().min(1).optional().describe('HTTP steps: text the response body must contain.'),
});

const OnFailureValue = z.union([z.enum(['stop', 'continue']), z.strictObject({ goto: StepIdSchema })], {
  error: 'expected stop, continue or { goto: <a later step id> }',
});

const OnFailureSchema = OnFailureValue
  .optional()
  .describe('stop, continue, or { goto: <later step id> }; default: the runbook\'s defaults.on_failure, else stop.');

const RetrySchema = z
  .strictObject({
    attempts: z.number().int().min(2).max(100).describe('Tries in all, the first one included.'),
    every: DurationSchema.describe('Pause between tries.'),
  })
  .describe('Try a failed check again before it counts as failed (not on dangerous steps).');

const StepRefs = z.union([StepIdSchema, z.array(StepIdSchema).min(1)]);

const WhenSchema = z
  .strictObject({
    failed: StepRefs.optional().describe('Run only if this earlier step (every one of a list) failed.'),
    succeeded: StepRefs.optional().describe('Run only if this earlier step (every one of a list) succeeded.'),
  })
  .refine((w) => w.failed !== undefined || w.succeeded !== undefined, 'when needs failed: or succeeded: <an earlier step id>')
  .describe('Run the step only when earlier steps ended so; otherwise it is skipped.');

const STEP_KINDS = ['docker', 'ssh', 'http', 'manual', 'wait', 'escalate', 'kubernetes', 'prometheus'] as const;

export const StepSchema = z
  .strictObject({
    id: StepIdSchema,
    title: text('What this step does, in the team language.'),
    note: z.string().optional(),
    docker: DockerStepSchema.optional(),
    ssh: SshStepSchema.optional(),
    http: HttpStepSchema.optional(),
    manual: ManualStepSchema.optional(),
    wait: DurationSchema.optional().describe('Pause before the next step.'),
    escalate: EscalateStepSchema.optional(),
    kubernetes: KubernetesStepSchema.optional(),
    prometheus: PrometheusStepSchema.optional(),
    danger: z
      .boolean()
      .optional()
      .describe(
        'Ask for confirmation (and approval on severe incidents). Required, true or false, when the ' +
          'command looks like it changes state (restart, delete, scale, POST…).',
      ),
    read_only: z
      .boolean()
      .optional()
      .describe(
        'The docker exec or ssh command changes nothing, so "Run diagnostics" may run it. Lint refuses it ' +
          'on commands that write, restart, upload or back up. Logs, ps, stats and HTTP GET are read-only already.',
      ),
    redact: z.boolean().default(false).describe('The output may hold secrets: redact it.'),
    timeout: DurationSchema.optional(),
    expect: ExpectSchema.optional(),
    retry: RetrySchema.optional(),
    when: WhenSchema.optional(),
    on_failure: OnFailureSchema,
  })
  .superRefine((s, ctx) => {
    const kinds = STEP_KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: kinds.length
          ? `a step has exactly one kind; found ${kinds.join(', ')}`
          : `a step needs one of: ${STEP_KINDS.join(', ')}`,
      });
  });

const SourceSchema = z
  .strictObject({
    file: z.string().min(1).optional().describe('The seed or document this runbook came from.'),
    section: z.string().min(1).optional().describe('The section title in that document.'),
    url: z.url().optional(),
  })
  .refine((s) => s.file || s.url, 'source needs `file` or `url`');

const EscalationRuleSchema = z.strictObject({
  when: text('The condition, as the team writes it ("Redis down > 5 min").'),
  then: text('What to do.'),
  page: z.string().min(1).optional().describe('Who to page (escalation policy or team name).'),
  after: z.array(StepIdSchema).min(1).optional().describe('Steps whose failure this rule covers: the Escalate button pages it when one of them failed.'),
});

export const RunbookSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().min(1).optional().describe('Must equal the path under runbooks/ without extension.'),
    title: text('Runbook title.'),
    description: z.string().optional(),
    source: SourceSchema.optional(),
    severity: z.string().min(1).optional().describe('Default severity id (P1, SEV1, ...).'),
    match: z
      .strictObject({
        keywords: z.array(z.string().min(1)).default([]),
        services: z.array(z.string().min(1)).default([]),
      })
      .default({ keywords: [], services: [] })
      .describe('Used to suggest this runbook when an incident opens.'),
    params: z.record(ParamNameSchema, ParamSchema).default({}),
    docker: z
      .strictObject({ project: z.string().min(1).describe('Default compose project of docker steps.') })
      .optional(),
    ssh: z.strictObject({ host: z.string().min(1).describe('Default inventory host of ssh steps.') }).optional(),
    defaults: z
      .strictObject({ on_failure: OnFailureValue.optional() })
      .optional()
      .describe('Defaults of every step; a step\'s own value wins.'),
    steps: z.array(StepSchema).min(1),
    escalate: z.array(EscalationRuleSchema).default([]),
    schedule: ScheduleSchema.optional(),
  })
  .describe('An opsroom runbook.');

export type Runbook = z.infer<typeof RunbookSchema>;
export type RunbookStep = z.infer<typeof StepSchema>;
export type RunbookParam = z.infer<typeof ParamSchema>;
export type DockerStep = z.infer<typeof DockerStepSchema>;
export type EscalationRule = z.infer<typeof EscalationRuleSchema>;
export type StepKindName = (typeof STEP_KINDS)[number];

export const stepKind = (s: RunbookStep): StepKindName => STEP_KINDS.find((k) => s[k] !== undefined)!;
