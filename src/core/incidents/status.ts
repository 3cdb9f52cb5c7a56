import { CodedError, ErrorCode } from '../errors.js';

export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];
export const OPEN_STATUSES: readonly Status[] = ['investigating', 'identified', 'monitoring'];

/** The allowed moves, from -> to. Resolved only leaves through reopen (-> investigating). */
export const TRANSITIONS: Record<Status, readonly Status[]> = {
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating'],
};

export const isStatus = (s: string): s is Status => (STATUSES as readonly string[]).includes(s);
export const isOpen = (s: Status) => s !== 'resolved';

/** Reopening is the one way out of resolved, and only out of resolved. */
export function assertReopenable(from: Status): void {
  if (from !== 'resolved') {
    throw new CodedError(ErrorCode.IllegalTransition, `The incident is still open (${from}); only a resolved incident can be reopened.`);
  }
}

export function assertTransition(from: Status, to: Status): void {
  if (from === to) {
    throw new CodedError(ErrorCode.IllegalTransition, `The incident is already ${to}.`);
  }
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from].join(', ');
    throw new CodedError(
      ErrorCode.IllegalTransition,
      `An incident that is ${from} cannot move to ${to} (allowed: ${allowed}).`,
    );
  }
}
