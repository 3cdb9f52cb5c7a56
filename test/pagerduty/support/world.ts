/** A small PagerDuty account in the fake, and the opsroom objects that talk to it. */
import type { Effect, EffectPayload } from '#core/effects.js';
import type { Incident } from '#core/incidents/incident.js';
import { InMemoryPagerLinks } from '#pagerduty/links.js';
import { PagerDutyPager } from '#pagerduty/pager.js';
import type { PagerDutySettingsInput } from '#pagerduty/settings.js';
import { ManualClock } from '../../support/clock.js';
import { PagerDutyFake } from '../../support/pagerduty-fake.js';

export const T0 = new Date('2026-11-22T08:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

export async function world(opts: { tls?: { key: string; cert: string }; settings?: Partial<PagerDutySettingsInput> } = {}) {
  const fake = await PagerDutyFake.start({ token: 'tok-123', tls: opts.tls });
  const clock = new ManualClock(T0);
  fake.now = () => clock.now();
  const bot = fake.addUser('opsroom bot', 'bot@example.com');
  const ana = fake.addUser('Ana Ruiz', 'ana@example.com');
  const ben = fake.addUser('Ben Ode', 'ben@example.com');
  const cleo = fake.addUser('Cleo Diaz', 'cleo@example.com');
  const dan = fake.addUser('Dan Ito', 'dan@example.com');
  const sre = fake.addPolicy('SRE', [[ana.id], [ben.id], [cleo.id]]);
  const db = fake.addPolicy('Databases', [[dan.id]]);
  const checkout = fake.addService('Checkout', sre.id);
  const payments = fake.addService('Payments', db.id);
  const p1 = fake.addPriority('P1');
  const p2 = fake.addPriority('P2');
  // SRE level 1 rotates Ana (now, until +4 h) -> Cleo; level 2 is Ben all the time.
  fake.addShift({ policyId: sre.id, level: 1, userId: ana.id, start: hours(-4), end: hours(4) });
  fake.addShift({ policyId: sre.id, level: 1, userId: cleo.id, start: hours(4), end: hours(16) });
  fake.addShift({ policyId: sre.id, level: 1, userId: ana.id, start: hours(16), end: hours(28) });
  fake.addShift({ policyId: sre.id, level: 2, userId: ben.id, start: null, end: null });
  fake.addShift({ policyId: db.id, level: 1, userId: dan.id, start: hours(-1), end: hours(23) });
  fake.addShift({ policyId: db.id, level: 1, userId: ben.id, start: hours(23), end: hours(47) });
  const settings: PagerDutySettingsInput = {
    token: 'tok-123',
    apiUrl: fake.url,
    from: bot.email,
    serviceId: checkout.id,
    services: { payments: payments.id },
    severityMap: { P1: { urgency: 'high', priority: p1 }, P2: { urgency: 'high', priority: p2 }, P3: { urgency: 'low' } },
    escalationPolicies: { databases: db.id },
    timeoutMs: 2_000,
    rateLimitRetryMs: 5,
    ...opts.settings,
  };
  const links = new InMemoryPagerLinks();
  const pager = new PagerDutyPager(settings, links, clock);
  return { fake, clock, pager, links, settings, users: { bot, ana, ben, cleo, dan }, policies: { sre, db }, services: { checkout, payments }, priorities: { p1, p2 } };
}
export type World = Awaited<ReturnType<typeof world>>;

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 7, title: 'Checkout API down', severity: 'P1', status: 'investigating', commander: 'U1', openedBy: 'U1',
    summary: 'Error rate 40%', service: null, system: null, mitigatedAt: null, channel: 'C1', sourceChannel: 'C2', cardTs: null, createdAt: T0,
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolution: null, lastUpdateAt: T0,
    lastReminderAt: null, version: 1, ...over,
  };
}

let effectSeq = 0;
export function effect(payload: EffectPayload, over: Partial<Effect> = {}): Effect {
  return {
    id: ++effectSeq, incidentId: 7, target: 'pager', payload, state: 'pending', attempts: 0,
    nextAttemptAt: T0, lastError: null, createdAt: T0, ...over,
  };
}
