/**
 * The Escalate button pages the rule that covers the failure, through the real Bolt app and the
 * local workspace: a failed `verify` (named by a rule's `after:`) pages that rule's team, and the
 * button's confirmation says which rule and why; a failed step no rule names pages the first rule
 * for any failure that has a page.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
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
  dir = mkdtempSync(join(tmpdir(), 'opsroom-esc-rule-'));
  mkdirSync(join(dir, 'runbooks'));
  writeFileSync(join(dir, 'runbooks', 'shop-down.yml'), [
    'title: Shop down',
    'steps:',
    '  - id: health',
    '    title: Check the health page',
    `    http: { url: "${base}/health", expect_status: 200 }`,
    '    on_failure: continue',
    '  - id: verify',
    '    title: Check the shop answers after the fix',
    `    http: { url: "${base}/ready", expect_status: 200 }`,
    'escalate:',
    '  - when: the shop is down for 5 min',
    '    then: call the shop team',
    '    page: shop-team',
    '  - when: the fix did not work',
    '    then: call the architects',
    '    page: shop-architects',
    '    after: [verify]',
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
const escalateButton = (m: { blocks?: unknown[] }) =>
  (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'run.escalate');

/** Opens an incident, runs one step of shop-down (it fails), returns the card with its Escalate button. */
async function failStep(n: number, stepId: string) {
  await t.ws.slash('U0ALICE', GEN, `open P3 Shop down ${n}`);
  await t.settle();
  const card = t.messages(INC).find((m) => m.text.includes(`Shop down ${n}`))!;
  const incidentId = (await t.ops.store.findByThread(INC, card.ts))!.id;
  await t.ws.slash('U0ALICE', INC, 'run shop-down', { command: '/runbook', threadTs: card.ts });
  const run = await waitFor(() => thread(card.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('run.step.run')));
  const runId = (await t.ops.runs.runs.listRuns({ incidentId }))[0].id;
  await t.ws.click('U0ALICE', { channel: INC, ts: run.ts }, 'run.step.run', { value: `${runId}:${stepId}` });
  await waitFor(async () => (await t.ops.runs.runs.getStep(runId, stepId))?.state === 'failed', 20_000);
  await t.ops.runs.board.settle();
  const failed = await waitFor(() => thread(card.ts).find((m) => escalateButton(m)));
  return { card, incidentId, runId, failed };
}

async function escalate(x: Awaited<ReturnType<typeof failStep>>) {
  await t.ws.click('U0ALICE', { channel: INC, ts: x.failed.ts }, 'run.escalate', { value: String(x.runId) });
  const ev = await waitFor(async () => (await t.ops.store.events(x.incidentId)).find((e) => e.kind === 'escalation'));
  await t.settle();
  return ev;
}

describe('Escalate chooses the rule that covers the failure', () => {
  it('a failed verify pages the rule naming it, and the confirmation says which rule and why', async () => {
    const x = await failStep(1, 'verify');
    const button = escalateButton(x.failed);
    expect(button.text.text).toBe('Escalate to shop-architects');
    expect(button.confirm.text.text).toBe('Pages `shop-architects`.\nRule 2: *the fix did not work* → call the architects\nWhy: step `verify` failed and this rule covers it (after: verify)');
    expect(JSON.stringify(x.failed.blocks)).toContain('Escalate pages `shop-architects`: step `verify` failed and this rule covers it');
    const ev = await escalate(x);
    expect(ev.data).toMatchObject({ to: 'shop-architects', stepId: 'verify', paged: false });
    expect(ev.text).toContain('the fix did not work → call the architects (step `verify` failed and this rule covers it (after: verify))');
  }, 60_000);

  it('a failed step that no rule names pages the first rule for any failure with a page', async () => {
    const x = await failStep(2, 'health');
    const button = escalateButton(x.failed);
    expect(button.text.text).toBe('Escalate to shop-team');
    expect(button.confirm.text.text).toMatch(/^Pages `shop-team`\.\nRule 1: \*the shop is down for 5 min\* → call the shop team\nWhy: step `health` failed and no rule's after: names it, so the first rule for any failure that pages someone$/);
    const ev = await escalate(x);
    expect(ev.data).toMatchObject({ to: 'shop-team', stepId: 'health' });
  }, 60_000);
});
