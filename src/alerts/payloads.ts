/**
 * The two webhook payloads, parsed with zod into the core's AlertBatch: Alertmanager's webhook
 * (version 4) and Grafana alerting's webhook contact point (its payload follows Alertmanager's,
 * with orgId, values, silenceURL… that opsroom does not need). Unknown fields are ignored.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertBatch, AlertSource, ReceivedAlert } from '#core/alerts/alert.js';
import { CodedError, ErrorCode } from '#core/errors.js';

const MAX_ALERTS = 1000;
const Text = z.string().max(10_000);
const KeyValues = z.record(z.string().max(200), Text).default({});
const Time = z.string().max(64).optional();

const AlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: KeyValues,
  annotations: KeyValues,
  startsAt: Time,
  endsAt: Time,
  generatorURL: z.string().max(4000).optional(),
  fingerprint: z.string().max(200).optional(),
});

const GroupSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  groupKey: z.string().min(1).max(4000),
  groupLabels: KeyValues,
  commonLabels: KeyValues,
  commonAnnotations: KeyValues,
  alerts: z.array(AlertSchema).min(1).max(MAX_ALERTS),
});

const AlertmanagerSchema = GroupSchema.extend({ version: z.literal('4'), receiver: z.string().max(1000).optional() });
const GrafanaSchema = GroupSchema.extend({ orgId: z.number().optional(), receiver: z.string().max(1000).optional() });

/** Alertmanager's and Grafana's "no time": the zero time, or nothing. */
function time(s: string | undefined): Date | null {
  if (!s || s.startsWith('0001-')) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const fingerprintOf = (labels: Record<string, string>) =>
  createHash('sha256').update(JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))).digest('hex').slice(0, 16);

/** Parses a webhook body; CodedError(bad_input) with what is wrong, for a 400 answer. */
export function parseAlertPayload(source: AlertSource, body: Buffer): AlertBatch {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CodedError(ErrorCode.BadInput, 'The body is not JSON.');
  }
  const r = (source === 'alertmanager' ? AlertmanagerSchema : GrafanaSchema).safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(body)';
    const hint = source === 'alertmanager' && issue.path[0] === 'version' ? ' (Alertmanager webhook payload version 4 is expected)' : '';
    throw new CodedError(ErrorCode.BadInput, `Not a ${source} webhook payload: ${where}: ${issue.message}${hint}`);
  }
  const p = r.data;
  const alerts: ReceivedAlert[] = p.alerts.map((a) => ({
    fingerprint: a.fingerprint || fingerprintOf(a.labels), status: a.status, labels: a.labels, annotations: a.annotations,
    startsAt: time(a.startsAt), endsAt: time(a.endsAt), generatorURL: a.generatorURL || null,
  }));
  return { source, groupKey: p.groupKey, status: p.status, groupLabels: p.groupLabels, commonLabels: p.commonLabels, commonAnnotations: p.commonAnnotations, alerts };
}
