import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '#core/effects.js';
import { InMemoryPagerLinks } from '#pagerduty/links.js';
import { PagerDutyPager } from '#pagerduty/pager.js';
import { effect, incident, world, type World } from './support/world.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  expect(w.fake.violations).toEqual([]);
  await w.fake.close();
});

const pdIncident = () => {
  const all = [...w.fake.incidents.values()];
  expect(all).toHaveLength(1);
  return all[0];
};

describe('PagerDutyPager deliveries', () => {
  it('trigger creates one incident on the default service with the mapped urgency, priority and key, and links it', async () => {
    await w.pager.deliver(effect({ type: 'pager.trigger' }), incident());
    const pd = pdIncident();
    expect(pd).toMatchObject({ incidentKey: 'opsroom-INC-7', serviceId: w.services.checkout.id, urgency: 'high', priorityId: w.priorities.p1, status: 'triggered' });
    expect(pd.title).toBe('[P1] Checkout API down');
    expect(await w.links.get(7)).toEqual({ id: pd.id, url: `${w.fake.url}/web/incidents/${pd.id}` });
  });

  it('trigger uses the service mapping and a low urgency without priority', async () => {
    await w.pager.deliver(effect({ type: 'pager.trigger' }), incident({ service: 'payments', severity: 'P3' }));
    expect(pdIncident()).toMatchObject({ serviceId: w.services.payments.id, urgency: 'low', priorityId: null });
  });

  it('a repeated trigger never pages twice: linked, lost link, and retry after a lost answer', async () => {
    const inc = incident();
    await w.pager.deliver(effect({ type: 'pager.trigger' }), inc);
    await w.pager.deliver(effect({ type: 'pager.trigger' }), inc); // link known: no request
    expect(w.fake.requestsTo('POST', /^\/incidents$/)).toHaveLength(1);

    // The link was lost: PagerDuty refuses the duplicate key and the existing incident is linked.
    const lost = new InMemoryPagerLinks();
    await new PagerDutyPager(w.settings, lost, w.clock).deliver(effect({ type: 'pager.trigger' }), inc);
    expect(w.fake.requestsTo('POST', /^\/incidents$/).map((r) => r.status)).toEqual([201, 400]);
    expect((await lost.get(7))?.id).toBe(pdIncident().id);

    // A retry (attempts > 0) looks the key up first, so even a resolved incident is not paged again.
    w.fake.incidents.get(pdIncident().id)!.status = 'resolved';
    const again = new InMemoryPagerLinks();
    await new PagerDutyPager(w.settings, again, w.clock).deliver(effect({ type: 'pager.trigger' }, { attempts: 1 }), inc);
    expect(w.fake.requestsTo('POST', /^\/incidents$/)).toHaveLength(2);
    expect((await again.get(7))?.id).toBe(pdIncident().id);
  });

  it('a trigger whose answer is lost (connection reset) is retryable and the retry links the same incident', async () => {
    w.fake.fail('reset', { method: 'POST', path: /^\/incidents$/ });
    const inc = incident();
    const err = await w.pager.deliver(effect({ type: 'pager.trigger' }), inc).catch((e) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.retryable).toBe(true);
    expect(w.fake.incidents.size).toBe(0);
    await w.pager.deliver(effect({ type: 'pager.trigger' }, { attempts: 1 }), inc);
    expect(pdIncident().incidentKey).toBe('opsroom-INC-7');
  });

  it('acknowledge and resolve follow, and acknowledging twice or after resolve changes nothing', async () => {
    const inc = incident();
    await w.pager.deliver(effect({ type: 'pager.trigger' }), inc);
    await w.pager.deliver(effect({ type: 'pager.acknowledge', actor: 'U2' }), inc);
    expect(pdIncident().status).toBe('acknowledged');
    await w.pager.deliver(effect({ type: 'pager.acknowledge', actor: 'U2' }), inc);
    expect(w.fake.requestsTo('PUT', /^\/incidents\//)).toHaveLength(1);
    await w.pager.deliver(effect({ type: 'pager.resolve', actor: 'U2', summary: 'Rolled back v42' }), inc);
    expect(pdIncident()).toMatchObject({ status: 'resolved', resolution: 'Rolled back v42' });
    await w.pager.deliver(effect({ type: 'pager.acknowledge', actor: 'U3' }), inc);
    expect(pdIncident().status).toBe('resolved');
    // Resolving again (a retry, or PagerDuty resolved it first) succeeds without a change.
    await w.pager.deliver(effect({ type: 'pager.resolve', actor: 'U2', summary: 'again' }), inc);
    expect(w.fake.requestsTo('PUT', /^\/incidents\//).map((r) => r.status)).toEqual([200, 200, 400]);
    expect(pdIncident().resolution).toBe('Rolled back v42');
  });

  it('a note becomes an incident note', async () => {
    const inc = incident();
    await w.pager.deliver(effect({ type: 'pager.trigger' }), inc);
    await w.pager.deliver(effect({ type: 'pager.note', actor: 'U2', text: 'Rolling back to v41' }), inc);
    expect(pdIncident().notes.map((n) => [n.content, n.userId])).toEqual([
      ['opsroom incident INC-7 (P1), opened by U1\n\nError rate 40%', w.users.bot.id],
      ['Rolling back to v41', w.users.bot.id],
    ]);
  });

  it('a severity change sets urgency and priority; an unmapped severity sends nothing', async () => {
    const inc = incident();
    await w.pager.deliver(effect({ type: 'pager.trigger' }), inc);
    await w.pager.deliver(effect({ type: 'pager.severity', severity: 'P3' }), inc);
    expect(pdIncident()).toMatchObject({ urgency: 'low', priorityId: w.priorities.p1 });
    await w.pager.deliver(effect({ type: 'pager.severity', severity: 'P2' }), inc);
    expect(pdIncident()).toMatchObject({ urgency: 'high', priorityId: w.priorities.p2 });
    const before = w.fake.requests.length;
    await w.pager.deliver(effect({ type: 'pager.severity', severity: 'P9' }), inc);
    expect(w.fake.requests.length).toBe(before);
  });

  it('escalate goes to the next level, an explicit level, or another policy, and records who asked', async () => {
    const inc = incident();
    await w.pager.deliver(effect({ type: 'pager.trigger' }), inc);
    await w.pager.deliver(effect({ type: 'pager.escalate', actor: 'U5' }), inc);
    expect(pdIncident().escalationLevel).toBe(2);
    expect(pdIncident().notes.at(-1)?.content).toBe('Escalated from opsroom by U5: level 2 of SRE');
    await w.pager.deliver(effect({ type: 'pager.escalate', actor: 'U5' }), inc);
    expect(pdIncident().escalationLevel).toBe(3);
    const last = await w.pager.deliver(effect({ type: 'pager.escalate', actor: 'U5' }), inc).catch((e) => e);
    expect(last).toBeInstanceOf(DeliveryError);
    expect(last).toMatchObject({ retryable: false });
    expect(last.message).toMatch(/last escalation level \(3\)/);
    await w.pager.deliver(effect({ type: 'pager.escalate', actor: 'U5', level: 1 }), inc);
    expect(pdIncident().escalationLevel).toBe(1);
    await w.pager.deliver(effect({ type: 'pager.escalate', actor: 'U6', policyId: 'databases' }), inc);
    expect(pdIncident().escalationPolicyId).toBe(w.policies.db.id);
    expect(pdIncident().notes.at(-1)?.content).toBe('Escalated from opsroom by U6: reassigned to escalation policy databases');
  });

  it('a delivery for an incident PagerDuty never got fails without retry', async () => {
    const err = await w.pager.deliver(effect({ type: 'pager.note', actor: 'U2', text: 'x' }), incident({ id: 99 })).catch((e) => e);
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/No PagerDuty incident is linked to INC-99/);
  });
});
