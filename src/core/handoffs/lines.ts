/** Facts about a handoff for its thread and the incoming on-call (rendered by the chat adapter). */
export type HandoffLine =
  /** Accepted by `user`, who is now commander of the incidents `moved`. */
  | { kind: 'handoff-accepted'; user: string; moved: number[] }
  /** The direct reminder to the incoming on-call. */
  | { kind: 'handoff-reminder'; headline: string }
  | { kind: 'handoff-not-accepted'; incoming: string | null; minutes: number }
  /** Escalated to `to` (user or group ids) `minutes` after the reminder. */
  | { kind: 'handoff-escalated'; to: string[]; headline: string; incoming: string | null; minutes: number };
