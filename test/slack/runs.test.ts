import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, openIncident, outputsOf, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
let w: RunsWorld;

describe.skipIf(!hasDocker)('runbook runs from the incident thread', () => {
  beforeAll(async () => { w = await startRunsWorld({ file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } } }); }, 60_000);
  afterAll(() => w?.stop());
  beforeEach(() => undefined);

  it('suggests the Redis runbook, starts it from the modal and runs diagnostics', async () => {
    const { t } = w;
    const card = await openIncident(t);
    const suggestion = threadOf(t, card.ts).find((m) => m.text.startsWith('Runbooks that match'))!;
    expect(visibleText(suggestion)).toContain('Redis caído');
    await t.ws.click('U0CAROL', { channel: INC, ts: suggestion.ts }, 'run.start', { value: 'redis-down' });
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
    const show = await t.ws.slash('U0CAROL', GEN, 'show INC-1');
    console.log(visibleText(show.json));
  }, 60_000);
});
