import type { Clock, Pager } from '#core/ports.js';
import { systemClock } from '#core/ports.js';
import { DisabledPager } from './disabled.js';
import type { PagerLinks } from './links.js';
import { PagerDutyPager } from './pager.js';
import type { PagerDutySettingsInput } from './settings.js';

export { DisabledPager } from './disabled.js';
export { InMemoryPagerLinks, type PagerLinks } from './links.js';
export { PagerDutyPager } from './pager.js';
export * from './settings.js';
export * from './webhook-events.js';
export * from './webhook-handler.js';
export * from './webhook-signature.js';

/** The pager for these settings: PagerDuty when a token is configured, otherwise the disabled one. */
export function createPager(settings: PagerDutySettingsInput | undefined, links: PagerLinks, clock: Clock = systemClock): Pager {
  return settings?.token ? new PagerDutyPager(settings, links, clock) : new DisabledPager();
}
