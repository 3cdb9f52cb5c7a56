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

export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

export const isCoded = (e: unknown, code?: ErrorCode): e is CodedError =>
  e instanceof CodedError && (code === undefined || e.code === code);
