import { readFileSync, existsSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { DEFAULT_HANDOFF_CONFIG, HandoffConfigSchema } from '#core/handoffs/config.js';
import { AlertsConfigSchema, DEFAULT_ALERTS_CONFIG } from '#core/alerts/alert.js';
import { DEFAULT_SEVERITIES, SeveritySchema, type Severity } from '#core/incidents/severity.js';
import { SystemRouting, SystemsSchema, type SystemsConfig } from '#core/systems/index.js';
import { DEFAULT_ROUTINES_CONFIG, RoutinesConfigSchema } from '#core/routines/config.js';
import { RecoveryConfigSchema } from '#core/recovery/config.js';
import { DEFAULT_VERIFY_CONFIG, VerifyConfigSchema } from '#core/verify/config.js';
import { ConfigError } from './env.js';

const UserId = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'expected a Slack user ID like U0123ABCD' });
const GroupId = z.string().regex(/^S[A-Z0-9]+$/, { error: 'expected a Slack user group ID like S0123ABCD' });

export const FileConfigSchema = z.strictObject({
  channels: z.strictObject({
    incidents: z.string().optional(),
    handoff: z.string().optional(),
  }).default({}),
  /** `urgency`: of the PagerDuty incident a severity opens (default high for the two most severe, low below). */
  severities: z.array(SeveritySchema.extend({ urgency: z.enum(['high', 'low']).optional() })).min(1).optional(),
  /**
   * Deprecated: use systems.<name>.severities. Per-system severity names mapped onto opsroom's
   * levels, e.g. { ai-multimodel: { P0: P1 } }; still read, and folded into `systems`.
   */
  severityAliases: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  /** Per system: its channel, announcements, severity names, PagerDuty service, people (src/core/systems). */
  systems: SystemsSchema.default({}),
  permissions: z.strictObject({
    /** Who may run non-dangerous steps; empty = anyone in the incident channel. */
    runners: z.array(z.union([UserId, GroupId])).default([]),
    /** Who may run dangerous steps. */
    responders: z.array(z.union([UserId, GroupId])).default([]),
    approvalMinutes: z.number().positive().default(10),
  }).default({ runners: [], responders: [], approvalMinutes: 10 }),
  pagerduty: z.strictObject({
    services: z.record(z.string(), z.string()).default({}),
    escalationPolicies: z.record(z.string(), z.string()).default({}),
    severityMap: z.record(z.string(), z.strictObject({
      urgency: z.enum(['high', 'low']),
      priority: z.string().optional(),
    })).default({}),
    scheduleId: z.string().optional(),
  }).optional(),
  /** Shift handoffs (src/core/handoffs/config.ts). */
  handoff: HandoffConfigSchema.default(DEFAULT_HANDOFF_CONFIG),
  /** Alerts from Alertmanager and Grafana (src/core/alerts/alert.ts). */
  alerts: AlertsConfigSchema.default(DEFAULT_ALERTS_CONFIG),
  /** Operations channels per system and schedules (src/core/routines/config.ts). */
  routines: RoutinesConfigSchema.default(DEFAULT_ROUTINES_CONFIG),
  /** Verified recovery after a remediation (src/core/recovery/config.ts). */
  recovery: RecoveryConfigSchema,
  /** When the scheduled verify runs (src/core/verify/config.ts). */
  verify: VerifyConfigSchema.default(DEFAULT_VERIFY_CONFIG),
});
export type FileConfig = z.infer<typeof FileConfigSchema>;

/** Reads opsroom.yml if present. Errors name the file, line and setting. */
export function loadFileConfig(path: string): FileConfig {
  if (!existsSync(path)) return FileConfigSchema.parse({});
  const text = readFileSync(path, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = e.linePos?.[0];
    throw new ConfigError(`${path}:${at?.line ?? 1}:${at?.col ?? 1} ${e.message.split('\n')[0]}`);
  }
  const at = (p: PropertyKey[], message: string) => {
    const node = doc.getIn(p as (string | number)[], true) as { range?: [number, number] } | undefined;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
    return new ConfigError(`${path}:${pos.line}:${pos.col} ${p.join('.') || '(root)'}: ${message}`);
  };
  const r = FileConfigSchema.safeParse(doc.toJS() ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    // A bad record key (a system's name): its own message, not "Invalid key in record".
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    throw at(issue.path, inner ?? issue.message);
  }
  const problem = new SystemRouting({ systems: systemsOf(r.data), severities: severitiesOf(r.data), incidentChannel: '' }).problems()[0];
  if (problem) throw at(problem.path, problem.message);
  // Runbook checks read each system's names through severityAliases.
  return { ...r.data, severityAliases: severityNamesOf(r.data) };
}

/**
 * The systems, with the deprecated `severityAliases` folded in: a system's own `severities`
 * win over an alias of the same name; a system named only in `severityAliases` gets its names.
 */
export function systemsOf(c: Pick<FileConfig, 'systems' | 'severityAliases'>): SystemsConfig {
  const out: SystemsConfig = { ...c.systems };
  for (const [name, names] of Object.entries(c.severityAliases ?? {})) {
    const own = out[name];
    out[name] = own
      ? { ...own, severities: { ...names, ...own.severities } }
      : { severities: { ...names }, people: { responders: [], oncall: [] } };
  }
  return out;
}

/** Every system's severity names (systems and severityAliases), as runbook checks read them. */
export function severityNamesOf(c: Pick<FileConfig, 'systems' | 'severityAliases'>): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(systemsOf(c)).map(([n, s]) => [n, s.severities]));
}

export const severitiesOf = (c: FileConfig): Severity[] => c.severities ?? DEFAULT_SEVERITIES;

/** PagerDuty urgency per severity: as configured, else high for the two most severe levels and low below. */
export function urgenciesOf(c: FileConfig): Record<string, 'high' | 'low'> {
  const list: Array<Severity & { urgency?: 'high' | 'low' }> = c.severities ?? DEFAULT_SEVERITIES;
  return Object.fromEntries(list.map((s, rank) => [s.id, s.urgency ?? (rank < 2 ? 'high' : 'low')]));
}
