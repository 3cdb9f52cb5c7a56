import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagerDutyPager } from '#pagerduty/pager.js';
import { PagerDutySettingsSchema, mappedService } from '#pagerduty/settings.js';
import { effect, incident, world, type World } from './support/world.js';

let w: World;
let pager: PagerDutyPager;
beforeEach(async () => {
  w = await world();
  // The payments service stands in for blatam's own PagerDuty service.
  pager = new PagerDutyPager({ ...w.settings, services: {}, systemServices: { blatam: w.services.payments.id } }, w.links, w.clock);
});
afterEach(async () => {
  expect(w.fake.violations).toEqual([]);
  await w.fake.close();
});

const serviceOf = () => [...w.fake.incidents.values()].map((i) => i.serviceId);

describe('PagerDuty service per system', () => {
  it('an incident of a system is raised on the system\'s service; one of no system on the default', async () => {
    await pager.deliver(effect({ type: 'pager.trigger' }), incident({ id: 7, system: 'blatam' }));
    expect(serviceOf()).toEqual([w.services.payments.id]);
    await pager.deliver(effect({ type: 'pager.trigger' }, { incidentId: 8 }), incident({ id: 8, system: 'bff' }));
    expect(serviceOf()).toEqual([w.services.payments.id, w.services.checkout.id]);
  });

  it('a mapped service wins over the system\'s', async () => {
    const s = PagerDutySettingsSchema.parse({ ...w.settings, services: { checkout: 'PCHECKOUT' }, systemServices: { blatam: 'PBLATAM' } });
    expect(mappedService(s, 'PBLATAM')).toEqual({ name: null, system: 'blatam' });
    expect(mappedService(s, 'PCHECKOUT')).toEqual({ name: 'checkout' });
    expect(mappedService(s, s.serviceId)).toEqual({ name: null });
    expect(mappedService(s, 'POTHER')).toBeUndefined();
  });
});
