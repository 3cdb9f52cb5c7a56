/** What an alert group says about its incident: title, severity, system, service, runbook. */
import { parseSeverity, type Severity } from '../incidents/severity.js';
import type { AlertBatch } from './alert.js';

const TITLE_MAX = 120;

/** A label or annotation: common to the group, else the first firing alert's, else the first alert's. */
export function pick(batch: AlertBatch, name: string, from: 'labels' | 'annotations' = 'labels'): string | undefined {
  const common = from === 'labels' ? batch.commonLabels[name] ?? batch.groupLabels[name] : batch.commonAnnotations[name];
  if (common?.trim()) return common.trim();
  const ordered = [...batch.alerts.filter((a) => a.status === 'firing'), ...batch.alerts];
  return ordered.map((a) => a[from][name]?.trim()).find(Boolean);
}

export function alertTitle(batch: AlertBatch): string {
  const raw = (pick(batch, 'summary', 'annotations') ?? pick(batch, 'alertname') ?? `Alert group ${batch.groupKey}`).replace(/\s+/g, ' ').trim();
  return raw.length > TITLE_MAX ? `${raw.slice(0, TITLE_MAX - 1)}…` : raw;
}

/** Names alerting tools use, by rank among opsroom's levels (0 = most severe). */
const COMMON_NAMES: Record<string, number> = { critical: 0, page: 0, high: 1, error: 1, major: 1, warning: 2, warn: 2, medium: 2, minor: 3, low: 3, info: 3 };

/**
 * The `severity` label as one of opsroom's levels: the system's own names and opsroom's (`named`,
 * the routing's), then the common names (critical, warning, info); else the default.
 */
export function alertSeverity(
  label: string | undefined, named: (label: string) => Severity | undefined, severities: readonly Severity[], fallback?: string,
): Severity {
  const byDefault = (fallback && parseSeverity(fallback, severities)) || severities[Math.min(2, severities.length - 1)];
  if (!label) return byDefault;
  const own = named(label);
  if (own) return own;
  const rank = COMMON_NAMES[label.toLowerCase()];
  return rank === undefined ? byDefault : severities[Math.min(rank, severities.length - 1)];
}

/**
 * The opsroom runbook the group names: annotation or label `runbook` (an id), else the known id
 * found at the end of `runbook_url`'s path (with or without .yml/.md).
 */
export function alertRunbook(batch: AlertBatch, known: readonly string[]): string | null {
  const named = pick(batch, 'runbook', 'annotations') ?? pick(batch, 'runbook');
  if (named && known.includes(named)) return named;
  const url = pick(batch, 'runbook_url', 'annotations') ?? pick(batch, 'runbook_url');
  if (!url) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    path = url;
  }
  path = path.replace(/\.(ya?ml|md)$/i, '').replace(/\/+$/, '');
  const hits = known.filter((id) => path === id || path.endsWith(`/${id}`));
  return hits.sort((a, b) => b.length - a.length)[0] ?? null;
}

/** What a timeline or thread line shows of one alert: alertname and the labels that tell it apart. */
export function alertName(labels: Record<string, string>): string {
  const where = labels.instance ?? labels.pod ?? labels.service ?? labels.job;
  return `${labels.alertname ?? 'alert'}${where ? ` on ${where}` : ''}`;
}

export const clock = (d: Date) => `${d.toISOString().slice(11, 19)} UTC`;
