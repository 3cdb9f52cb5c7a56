import { DeliveryError } from '#core/effects.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { OnCallEntry, Pager } from '#core/ports.js';

const PAGERDUTY_OFF = 'PagerDuty integration is off';

/**
 * The pager when no PAGERDUTY_TOKEN is set. Callers should check `enabled` and not enqueue pager
 * effects at all; a delivery that arrives anyway fails at once, without retries.
 */
export class DisabledPager implements Pager {
  readonly enabled = false;

  async deliver(): Promise<void> {
    throw new DeliveryError(PAGERDUTY_OFF, false);
  }

  async onCall(): Promise<{ now: OnCallEntry[]; next: OnCallEntry[] }> {
    throw new CodedError(ErrorCode.Unavailable, `${PAGERDUTY_OFF} (set PAGERDUTY_TOKEN to use /oncall).`);
  }
}
