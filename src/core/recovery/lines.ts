/** Facts about verifying a recovery for the incident's thread (rendered by the chat adapter). */
export type RecoveryLine =
  | { kind: 'recovery-watch'; stepId: string; checks: string[]; everyMs: number; windowMs: number }
  /** A check failed; `again` when the checks had passed a round before. */
  | { kind: 'recovery-failed'; again: boolean; at: number; failure: string; stepId: string; runId: number }
  | { kind: 'recovered'; at: number; verifiedMs: number; checks: string[]; stepId: string };
