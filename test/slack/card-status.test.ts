/** The card's status menu (one click, current status preselected) and links to threads in /incident list. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/slack-app.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;

beforeEach(async () => { t = await startLocal(); });
afterEach(() => t.close());

const card = () => t.messages(INC)[0];
const thread = () => t.messages(INC, card().ts);
const statusMenu = () => card().blocks?.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'incident.change_status');

describe('the card status menu', () => {
  it('preselects the current status and moves it in one click, on the card and in the thread', async () => {
    await t.ws.slash('U0ALICE', GEN, 'open P2 Search slow');
    await t.settle();
    expect(statusMenu().initial_option.value).toBe('investigating');
    expect(statusMenu().options.map((o: any) => o.value)).toEqual(['investigating', 'identified', 'monitoring']);

    await t.ws.click('U0BOB', { channel: INC, ts: card().ts }, 'incident.change_status', { value: 'identified' });
    await waitFor(async () => { await t.settle(); return statusMenu().initial_option.value === 'identified'; });
    expect(visibleText(card())).toContain('identified');
    expect(thread().map((m) => m.text).join('\n')).toContain('<@U0BOB> moved the status to *identified*');

    // Picking the status it already has changes nothing.
    const before = thread().length;
    await t.ws.click('U0BOB', { channel: INC, ts: card().ts }, 'incident.change_status', { value: 'identified' });
    await t.settle();
    expect(thread()).toHaveLength(before);
  });

  it('refuses a value that is not a status, and is gone once the incident is resolved', async () => {
    await t.ws.slash('U0ALICE', GEN, 'open P2 Search slow');
    await t.settle();
    await t.ws.click('U0BOB', { channel: INC, ts: card().ts }, 'incident.change_status', { value: 'resolved' });
    await waitFor(() => t.ws.state.data.ephemerals.some((e: any) => e.ephemeral_for === 'U0BOB' && /resolve with Resolve/.test(e.text)));
    expect(statusMenu().initial_option.value).toBe('investigating');
    await t.ws.slash('U0ALICE', GEN, 'resolve INC-1 done');
    await t.settle();
    expect(statusMenu()).toBeUndefined();
  });
});

describe('/incident list', () => {
  it('links each incident to its thread', async () => {
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout down');
    await t.ws.slash('U0ALICE', GEN, 'open P3 Flaky report');
    await t.settle();
    const r = (await t.ws.slash('U0ALICE', GEN, 'list')).json;
    const text = JSON.stringify(r.blocks);
    for (const m of t.messages(INC)) expect(text).toContain(`/archives/${INC}/p${m.ts.replace('.', '')}|INC-`);
  });
});
