/**
 * The run card's Escalate button with PagerDuty on: the runbook's rule names a configured
 * escalation policy, so the PagerDuty incident is reassigned to it (the stateful fake checks every
 * request against PagerDuty's OpenAPI document), and the timeline records who escalated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { world } from '../pagerduty/support/world.js';
import { INC, openIncident, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const DB_DOWN = `
title: Base de datos caída
match: { keywords: [base, datos] }
docker: { project: blatam }
steps:
  - id: check
    title: Comprobar la base
    docker: { service: redis, exec: [sh, -c, "echo connection refused; exit 3"] }
escalate:
  - when: La base sigue caída
    then: Llamar a Databases
    page: databases
`;

const hasDocker = dockerAvailable();
let pd: Awaited<ReturnType<typeof world>>;
let w: RunsWorld;

describe.skipIf(!hasDocker)('Escalate from a run card with PagerDuty on', () => {
  beforeAll(async () => {
    pd = await world();
    const { services, severityMap, escalationPolicies } = pd.settings;
    w = await startRunsWorld({
      clock: pd.clock, runbooks: { 'db-down.yml': DB_DOWN },
      file: { pagerduty: { services: services ?? {}, severityMap: severityMap ?? {}, escalationPolicies: escalationPolicies ?? {} } },
      env: { PAGERDUTY_TOKEN: 'tok-123', PAGERDUTY_API_URL: pd.fake.url, PAGERDUTY_FROM: pd.users.bot.email, PAGERDUTY_SERVICE_ID: pd.services.checkout.id },
    });
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
    expect(pd?.fake.violations).toEqual([]);
    await pd?.fake.close();
  });

  it('pages the policy the runbook names, and records who escalated', async () => {
    const { t } = w;
    const card = await openIncident(t, 'open P1 Base de datos caída');
    await t.settle();
    const pdIncident = [...pd.fake.incidents.values()][0];
    expect(pdIncident).toBeDefined();
    const r = await t.ws.slash('U0ALICE', INC, 'run db-down', { command: '/runbook', threadTs: card.ts });
    expect(r.json.text).toMatch(/Started/);
    const run = await waitFor(() => runCardOf(t, card.ts, 1));
    await t.ws.click('U0ALICE', { channel: INC, ts: run.ts }, 'run.step.run', { value: '1:check' });
    await waitFor(async () => (await t.ops.runs.runs.getStep(1, 'check'))?.state === 'failed', 15_000);
    await t.ops.runs.board.settle();
    const failed = runCardOf(t, card.ts, 1)!;
    expect(visibleText(failed)).toMatch(/La base sigue caída → Llamar a Databases \(page `databases`\)/);
    await t.ws.click('U0BOB', { channel: INC, ts: failed.ts }, 'run.escalate', { value: '1' });
    await waitFor(async () => (await t.ops.store.events(1)).some((e) => e.kind === 'escalation'));
    await t.settle();
    expect(pdIncident.escalationPolicyId).toBe(pd.policies.db.id);
    const esc = (await t.ops.store.events(1)).filter((e) => e.kind === 'escalation');
    expect(esc.map((e) => [e.actor, e.text])).toEqual([['U0BOB', 'Escalated to escalation policy databases']]);
    expect(threadOf(t, card.ts).map((m) => m.text).join('\n')).toMatch(/<@U0BOB> escalated to escalation policy databases in PagerDuty/);
  }, 60_000);
});
