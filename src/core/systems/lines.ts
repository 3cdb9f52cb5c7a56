/** Facts about systems for the incident's thread and other channels (rendered by the chat adapter). */

export type SystemLine =
  /** The system's on-call: user ids, or group ids starting with S. */
  | { kind: 'oncall'; system: string; oncall: string[] }
  | { kind: 'moved'; actor: string; from: string | null; to: string };

/** Messages in another channel; `label` is the team's name for the level. */
export type SystemNotice =
  | { kind: 'announce-opened'; label: string; system: string; title: string }
  | { kind: 'announce-raised'; incidentId: number; system: string; label: string; title: string }
  | { kind: 'moved-here'; incidentId: number; label: string; from: string | null; title: string }
  | { kind: 'announce-moved'; label: string; to: string; from: string | null; title: string };
