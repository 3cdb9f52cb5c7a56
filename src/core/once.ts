/**
 * Exactly once per delivery: Slack and PagerDuty may send the same signed request again (a retry,
 * a replay within the signature's five minutes). `run(key, work)` runs `work` for the first
 * delivery of `key` only; a later one gets `{ ran: false }`. A delivery whose handler died before
 * finishing is not remembered: its retry runs again.
 */
export type OnceResult<T> =
  | { ran: true; value: T }
  // busy: another holder still had the key when the wait ended (it may have died; a retry takes over).
  | { ran: false; busy?: boolean };

export interface OnceOptions {
  /** How long the key is remembered after it was handled (default: the adapter's, ten minutes). */
  keepMs?: number;
  /** How long to wait for another replica that is handling the same key right now. */
  waitMs?: number;
}

export interface Once {
  run<T>(key: string, work: () => Promise<T>, options?: OnceOptions): Promise<OnceResult<T>>;
}
