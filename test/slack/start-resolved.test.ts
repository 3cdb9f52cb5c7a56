/** Starting a runbook on a resolved incident says so at once, before any form opens. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, openIncident, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

let w: RunsWorld;
const paramForms = () => w.t.ws.state.data.views.filter((v) => (v as any).callback_id === 'run.params');

describe.skipIf(!dockerAvailable())('a runbook on a resolved incident', () => {
  beforeAll(async () => { w = await startRunsWorld(); }, 60_000);
  afterAll(() => w?.stop());

  it('refuses Start and /runbook run with the reason, and opens no parameters form', async () => {
    const card = await openIncident(w.t, 'open P2 Redis caído');
    // Open: the runbook needs `pattern`, so Start opens the form.
    const suggestion = threadOf(w.t, card.ts).find((m) => (m.text ?? '').startsWith('Runbooks that match'))!;
    await w.t.ws.click('U0ALICE', { channel: INC, ts: suggestion.ts }, 'run.start', { value: 'redis-down' });
    await waitFor(() => paramForms().length === 1);
    await w.t.ws.closeView('U0ALICE', paramForms()[0].id);

    await w.t.ws.slash('U0ALICE', GEN, 'resolve INC-1 flapped');
    await w.t.settle();
    const before = w.t.ws.state.data.ephemerals.length;
    // Bob: Alice's second click within 10 s would be taken for a double click.
    await w.t.ws.click('U0BOB', { channel: INC, ts: suggestion.ts }, 'run.start', { value: 'redis-down' });
    const said = await waitFor(() => w.t.ws.state.data.ephemerals.slice(before).find((e) => e.ephemeral_for === 'U0BOB')?.text);
    expect(said).toBe(':warning: INC-1 is resolved; reopen it to run runbooks.');
    const typed = await w.t.ws.slash('U0ALICE', INC, 'run redis-down', { command: '/runbook', threadTs: card.ts });
    expect(typed.json?.text).toContain('INC-1 is resolved; reopen it to run runbooks.');
    expect(paramForms()).toHaveLength(1);
    expect(await w.t.ops.runs.runs.listRuns({ incidentId: 1 })).toHaveLength(0);
  }, 40_000);
});
