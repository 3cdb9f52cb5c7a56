import { z } from 'zod';

/** The parts of PagerDuty REST resources opsroom reads. Unknown fields pass through untouched. */
const RefSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  summary: z.string().nullish(),
  html_url: z.string().nullish(),
});

const PdIncidentSchema = z.looseObject({
  id: z.string(),
  html_url: z.string(),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  incident_key: z.string().nullish(),
  title: z.string().nullish(),
  urgency: z.string().nullish(),
  service: RefSchema.nullish(),
  escalation_policy: RefSchema.nullish(),
  assignments: z.array(z.looseObject({ assignee: RefSchema })).nullish(),
});
export type PdIncident = z.infer<typeof PdIncidentSchema>;

export const IncidentEnvelopeSchema = z.looseObject({ incident: PdIncidentSchema });

export const ServiceEnvelopeSchema = z.looseObject({
  service: z.looseObject({ id: z.string(), name: z.string().nullish(), escalation_policy: RefSchema }),
});

export const EscalationPolicyEnvelopeSchema = z.looseObject({
  escalation_policy: z.looseObject({
    id: z.string(),
    name: z.string().nullish(),
    escalation_rules: z.array(z.unknown()).default([]),
  }),
});

export const OnCallSchema = z.looseObject({
  escalation_policy: RefSchema,
  escalation_level: z.number().int(),
  user: z.looseObject({ id: z.string(), summary: z.string().nullish(), name: z.string().nullish(), email: z.string().nullish() }),
  start: z.string().nullish(),
  end: z.string().nullish(),
});
export type PdOnCall = z.infer<typeof OnCallSchema>;
