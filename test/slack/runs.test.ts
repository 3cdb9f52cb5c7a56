import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, openIncident, outputsOf, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
let w: RunsWorld;

describe.skipIf(!hasDocker)('runbook runs from the incident thread', () => {
  beforeAll(async () => { w = await startRunsWorld({ file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } } }); }, 60_000);
  afterAll(() => w?.stop());

  it('suggests the Redis runbook, starts it from the modal and runs diagnostics', async () => {
    const { t } = w;
    const card = await openIncident(t);
    const suggestion = threadOf(t, card.ts).find((m) => m.text.startsWith('Runbooks that match'))!;
    expect(visibleText(suggestion)).toContain('Redis caído');
    // A double click opens one form.
    await Promise.all([1, 2].map(() => t.ws.click('U0CAROL', { channel: INC, ts: suggestion.ts }, 'run.start', { value: 'redis-down' })));
    const view = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0CAROL').at(-1));
    const bad = await t.ws.submitView('U0CAROL', view.id, { 'param.pattern': 'NOT OK' });
    expect(JSON.stringify(bad.errors ?? bad.clientErrors)).toMatch(/must match/);
    const ok = await t.ws.submitView('U0CAROL', view.id, { 'param.pattern': 'oom' });
    expect(ok.errors).toBeUndefined();
    const run = await waitFor(() => runCardOf(t, card.ts));
    expect(visibleText(run)).toContain('Verificar estado Redis');
    await t.ws.click('U0CAROL', { channel: INC, ts: run.ts }, 'run.diagnostics', { value: '1' });
    await waitFor(() => /Leer actividad\*[^]*succeeded/.test(visibleText(runCardOf(t, card.ts)!)), 20_000);
    await w.t.ops.runs.board.settle();
    const text = visibleText(runCardOf(t, card.ts)!);
    expect(text).toMatch(/Verificar estado Redis\*[^\n]*\n[^\n]*succeeded/);
    expect(text).toMatch(/Buscar oom\*[^\n]*\n[^\n]*failed/);
    expect(text).toMatch(/Reiniciar Redis\*[^\n]*\n[^\n]*pending/);
    const ping = outputsOf(t, card.ts, 'ping')[0];
    expect(visibleText(ping)).toContain('PONG');
    // /incident show lists what ran where, by whom, with what result.
    const show = visibleText((await t.ws.slash('U0CAROL', GEN, 'show INC-1')).json);
    expect(show).toMatch(/<@U0CAROL> · \*run\* Started runbook `redis-down` Redis caído \(run 1\) with `lines=20 pattern=oom`/);
    expect(show).toMatch(/<@U0CAROL> · \*step\* `ping` on `docker:blatam\/redis`: succeeded in [\d.]+ s, exit 0 — `docker exec blatam\/redis sh -c echo PONG/);
    expect(show).toMatch(/<@U0CAROL> · \*step\* `grep` on `docker:blatam\/redis`: failed in [\d.]+ s, exit 1/);
    // The failed step offers the runbook's escalation with an Escalate button; it is recorded.
    const failedCard = runCardOf(t, card.ts)!;
    expect(visibleText(failedCard)).toMatch(/Escalation\*\n:point_right: Redis caído &gt; 5 min → Escalar a SRE \(page `sre`\)/);
    await t.ws.click('U0CAROL', { channel: INC, ts: failedCard.ts }, 'run.escalate', { value: '1' });
    await waitFor(async () => (await t.ops.store.events(1)).some((e) => e.kind === 'escalation'));
    // The double click on Start opened one form and started one run.
    expect(t.ws.state.data.views.filter((v) => v.user === 'U0CAROL' && (v as any).callback_id === 'run.params')).toHaveLength(1);
    expect(await t.ops.runs.runs.listRuns({ incidentId: 1 })).toHaveLength(1);
    const esc = (await t.ops.store.events(1)).find((e) => e.kind === 'escalation')!;
    expect(esc.actor).toBe('U0CAROL');
    expect(esc.text).toMatch(/asked to escalate to `sre`; nobody was paged \(PagerDuty is off\): INC-1 Redis caído: Redis caído &gt; 5 min → Escalar a SRE \(step `grep` failed and no rule.s after: names it, so the first rule for any failure that pages someone\)/);
  }, 60_000);

  it('suggests again when the severity changes, saying that approvals still apply after lowering it', async () => {
    const { t } = w;
    const card = t.messages(INC).find((m) => m.text.startsWith('INC-1 '))!;
    const suggestions = () => threadOf(t, card.ts).filter((m) => m.text.startsWith('Runbooks that match'));
    expect(visibleText(suggestions()[0])).toMatch(/P1: dangerous steps need a second responder's approval/);
    await t.ws.click('U0BOB', { channel: INC, ts: card.ts }, 'incident.change_severity', { value: '1:P3' });
    await t.settle();
    await waitFor(() => suggestions().length === 2);
    expect(visibleText(suggestions()[1])).toContain('Redis caído');
    expect(visibleText(suggestions()[1])).toMatch(/Dangerous steps still need a second responder's approval: INC-1 was more severe earlier/);
  }, 30_000);
});
