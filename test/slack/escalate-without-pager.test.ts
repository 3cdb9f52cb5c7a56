/**
 * Escalate with PagerDuty off, through the real Bolt app and the local workspace: a failed HTTP
 * step's Escalate button says who to contact and that nobody was paged; the handoff does not
 * count it as a page; the audit records it as not paged.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#ops/audit.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;
let server: Server;
let dir: string;

beforeAll(async () => {
  server = createServer((_req, res) => { res.statusCode = 503; res.end('down'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'opsroom-esc-'));
  mkdirSync(join(dir, 'runbooks'));
  writeFileSync(join(dir, 'runbooks', 'shop-down.yml'), [
    'title: Shop down',
    'steps:',
    '  - id: health',
    '    title: Check the health page',
    `    http: { url: "${base}/health", expect_status: 200 }`,
    'escalate:',
    '  - when: the shop is down for 5 min',
    '    then: call the shop team',
    '    page: minimarket-on-call',
    '',
  ].join('\n'));
  t = await startLocal({ env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks') } });
}, 60_000);

afterAll(async () => {
  await t?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const thread = (ts: string) => t.messages(INC, ts);

describe('Escalate without PagerDuty', () => {
  it('says nobody was paged and who to contact; no page in the handoff; not_paged in the audit', async () => {
    await t.ws.slash('U0ALICE', GEN, 'open P3 Shop down');
    await t.settle();
    const card = t.messages(INC)[0];
    const started = await t.ws.slash('U0ALICE', INC, 'run shop-down', { command: '/runbook', threadTs: card.ts });
    expect(started.json?.text ?? '').toMatch(/Started \*Shop down\*|^$/);
    const run = await waitFor(() => thread(card.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('run.step.run')));
    const runId = (await t.ops.runs.runs.listRuns({ incidentId: 1 }))[0].id;
    await t.ws.click('U0ALICE', { channel: INC, ts: run.ts }, 'run.step.run', { value: `${runId}:health` });
    await waitFor(async () => (await t.ops.runs.runs.steps(runId))[0]?.state === 'failed', 20_000);
    await t.ops.runs.board.settle();
    const failed = await waitFor(() => thread(card.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('run.escalate')));
    await t.ws.click('U0ALICE', { channel: INC, ts: failed.ts }, 'run.escalate', { value: String(runId) });
    await waitFor(async () => (await t.ops.store.events(1)).some((e) => e.kind === 'escalation'));
    await t.settle();

    const lines = thread(card.ts).map((m) => m.text).join('\n');
    expect(lines).toContain('asked to escalate to *minimarket-on-call*, but *nobody was paged*: PagerDuty is off. Contact *minimarket-on-call* yourself.');
    expect(lines).not.toMatch(/:rotating_light: <@U0ALICE> escalated to/);
    const ev = (await t.ops.store.events(1)).find((e) => e.kind === 'escalation')!;
    expect(ev.data).toMatchObject({ paged: false, to: 'minimarket-on-call' });

    const handoff = await t.ws.slash('U0BOB', GEN, '', { command: '/handoff' });
    const text = visibleText(handoff.json);
    expect(text).toMatch(/Nothing to report in: pages and escalations/);
    expect(text).not.toMatch(/\b1 page\b/);

    const audit = await auditRecords(t.ops.database, new Date(0));
    const row = audit.find((r) => r.action === 'incident.escalation');
    expect(row?.result).toBe('not_paged');
  }, 60_000);
});
