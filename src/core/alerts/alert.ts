/** Alerts from Alertmanager and Grafana, as the core sees them (the adapters in src/alerts/ parse the payloads). */
import { z } from 'zod';

export const ALERT_SOURCES = ['alertmanager', 'grafana'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
export type AlertStatus = 'firing' | 'resolved';

export interface ReceivedAlert {
  /** Stable id of one alert (its label set); made from the labels when the sender gives none. */
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date | null;
  endsAt: Date | null;
  generatorURL: string | null;
}

/** One webhook delivery: a group of alerts and the group's overall status. */
export interface AlertBatch {
  source: AlertSource;
  groupKey: string;
  status: AlertStatus;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: ReceivedAlert[];
}

/** The `alerts:` section of opsroom.yml. */
export const AlertsConfigSchema = z.strictObject({
  /** What a resolved group does to its incident: nothing, move it to monitoring, or resolve it after `quietMinutes`. */
  onResolved: z.enum(['nothing', 'monitoring', 'resolve']).default('monitoring'),
  /** With onResolved: resolve, how long the group must stay resolved before the incident is resolved. */
  quietMinutes: z.number().min(0).default(10),
  /** Severity when the `severity` label is missing or unknown; default: the third level (P3), or the last. */
  defaultSeverity: z.string().min(1).optional(),
  /** A flapping alert gets at most one thread line per this many minutes. */
  flapMinutes: z.number().min(0).default(5),
});
export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;
export const DEFAULT_ALERTS_CONFIG: AlertsConfig = { onResolved: 'monitoring', quietMinutes: 10, flapMinutes: 5 };
