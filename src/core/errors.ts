import { unsaid } from './said.js';

/** Every error opsroom shows a person carries a code; adapters translate codes to messages in one place. */
export const ErrorCode = {
  BadInput: 'bad_input',
  NotFound: 'not_found',
  IllegalTransition: 'illegal_transition',
  Forbidden: 'forbidden',
  Conflict: 'conflict',
  Duplicate: 'duplicate',
  Unavailable: 'unavailable',
  InvalidRunbook: 'invalid_runbook',
  HostKey: 'host_key',
  Timeout: 'timeout',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * `message` is plain text (logs, terminals). A message that quotes someone's input marks it with
 * said(); `marked` keeps the marks so each renderer escapes the quoted words for its format.
 */
export class CodedError extends Error {
  readonly marked: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(unsaid(message));
    this.marked = message;
    this.name = 'CodedError';
  }
}

export const isCoded = (e: unknown, code?: ErrorCode): e is CodedError =>
  e instanceof CodedError && (code === undefined || e.code === code);
