import { type CodedError, isCoded } from '#core/errors.js';
import { DeliveryError } from '#core/effects.js';
import { opsroomLine } from './blocks/mrkdwn.js';

/** A coded error's message as mrkdwn: the words it quotes (marked) are escaped. */
export const codedText = (e: CodedError) => opsroomLine(e.marked);

/** The one place errors become words for a person. */
export function userMessage(e: unknown): string {
  if (isCoded(e)) return `:warning: ${codedText(e)}`;
  return ':boom: Something went wrong on our side; nothing was changed. The error was logged.';
}

interface SlackLikeError {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
  message?: string;
}

/** Maps a @slack/web-api error to a delivery outcome: retry (with Retry-After) or give up. */
export function toDeliveryError(e: unknown): DeliveryError {
  const err = (e ?? {}) as SlackLikeError;
  switch (err.code) {
    case 'slack_webapi_rate_limited_error':
      return new DeliveryError('Slack rate limited the call', true, (err.retryAfter ?? 1) * 1000);
    case 'slack_webapi_platform_error': {
      const code = err.data?.error ?? 'unknown';
      const transient = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited'];
      return new DeliveryError(`Slack answered ${code}`, transient.includes(code));
    }
    case 'slack_webapi_http_error':
      return new DeliveryError(`Slack answered HTTP ${err.statusCode ?? '?'}`, (err.statusCode ?? 500) >= 500 || err.statusCode === 429);
    default:
      return new DeliveryError(`Slack is unreachable: ${err.message ?? String(e)}`, true);
  }
}
