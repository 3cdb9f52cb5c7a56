/**
 * Runbook freshness through the real Bolt app: after a verify, the suggestions and the run card
 * say "last verified …"; once the container a step names is renamed and verify runs again, they say
 * "broken since … (why)", and `/runbook list broken` lists exactly that runbook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, openIncident, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const CHECK = `
title: Chequeo de Redis
match: { keywords: [redis], services: [redis] }
docker: { project: blatam }
steps:
  - id: ps
    title: Servicio Redis
    docker: { service: redis, ps: true }
  - id: by-name
    title: Contenedor por nombre
    read_only: true
    docker: { container: blatam-redis-1, exec: [echo, hola] }
`;

const hasDocker = dockerAvailable();
let w: RunsWorld;
const DATE = /\d{4}-\d\d-\d\d \d\d:\d\d UTC/.source;

describe.skipIf(!hasDocker)('runbook freshness in Slack', () => {
  beforeAll(async () => { w = await startRunsWorld({ runbooks: { 'redis-check.yml': CHECK } }); }, 60_000);
  afterAll(() => w?.stop());

  it('suggestions and the run card say when the runbook was last verified, then since when it is broken and why', async () => {
    const { t } = w;
    const fits = await t.ops.verify.runNow();
    expect(fits.problems).toEqual([]);
    expect(fits.skipped.map((s) => s.runbook)).toEqual(['redis-down']);
    const card = await openIncident(t);
    const suggestions = () => threadOf(t, card.ts).filter((m) => m.text.startsWith('Runbooks that match'));
    const first = visibleText(suggestions()[0]);
    expect(first).toMatch(new RegExp(`Chequeo de Redis\\* \`redis-check\`[^\\n]*\\n_last verified ${DATE}_`));
    // redis-down was not checked (a required parameter has no default): nothing is claimed for it.
    expect(first).not.toMatch(/`redis-down`[^\n]*\n_(last verified|broken)/);

    await w.redis.rename({ name: 'blatam-redis-renamed' });
    try {
      const broken = await t.ops.verify.runNow();
      expect(broken.problems.map((p) => [p.runbook, p.step])).toEqual([['redis-check', 'by-name']]);
      await t.ws.click('U0BOB', { channel: INC, ts: card.ts }, 'incident.change_severity', { value: '1:P3' });
      await t.settle();
      await waitFor(() => suggestions().length === 2);
      expect(visibleText(suggestions()[1])).toMatch(new RegExp(`Chequeo de Redis\\* \`redis-check\`[^\\n]*\\n:warning: _broken since ${DATE} \\(step by-name: docker .*blatam-redis-1`));

      const list = visibleText((await t.ws.slash('U0CAROL', GEN, 'list broken', { command: '/runbook' })).json);
      expect(list).toMatch(/1 runbook\*/);
      expect(list).toMatch(/`redis-check` — Chequeo de Redis[^\n]*:warning: _broken since/);
      expect(list).not.toContain('redis-down');

      await t.ws.click('U0CAROL', { channel: INC, ts: suggestions()[1].ts }, 'run.start', { value: 'redis-check' });
      const run = await waitFor(() => runCardOf(t, card.ts));
      expect(visibleText(run)).toMatch(new RegExp(`:warning: Runbook broken since ${DATE} \\(step by-name`));
    } finally {
      await w.redis.rename({ name: 'blatam-redis-1' });
    }
    await t.ops.verify.runNow();
    expect(visibleText((await t.ws.slash('U0CAROL', GEN, 'list broken', { command: '/runbook' })).json)).toMatch(/No runbook is broken as of the last verify/);
  }, 90_000);
});
