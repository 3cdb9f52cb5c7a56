/**
 * Long lists are complete or say what is left out, through the real Bolt app and the local
 * workspace: /runbook list with every shipped runbook, /incident list, /incident show pages, and
 * the runbook suggestions in a thread.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/slack-app.js';
import { listBlocks, packLines } from '#slack/blocks/lists.js';
import { paramsModal } from '#slack/blocks/run-views.js';
import { onCallBlocks } from '#slack/listeners/commands/oncall.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;

beforeEach(async () => { t = await startLocal({ env: { OPSROOM_RUNBOOKS: 'runbooks' } }); });
afterEach(() => t.close());

const sections = (m: { blocks?: any[] }) => (m.blocks ?? []).filter((b) => b.type === 'section').map((b) => b.text.text as string);

describe('packing', () => {
  it('keeps every item whole and says how many did not fit', () => {
    const items = Array.from({ length: 300 }, (_, i) => `• item ${i} ${'x'.repeat(100)}`);
    const packed = packLines(items, 2900);
    expect(packed.every((p) => p.text.length <= 2900)).toBe(true);
    expect(packed.flatMap((p) => p.text.split('\n'))).toEqual(items);
    const blocks = listBlocks([{ items }], 5, (left) => `${left} more`);
    expect(blocks).toHaveLength(5);
    const shown = blocks.slice(0, 4).flatMap((b: any) => b.text.text.split('\n')).length;
    expect((blocks[4] as any).elements[0].text).toBe(`${300 - shown} more`);
  });
});

describe('/oncall with many policies', () => {
  it('shows every entry in whole lines', () => {
    const at = new Date('2026-12-01T08:00:00Z');
    const entries = Array.from({ length: 90 }, (_, i) => ({ policy: `Policy number ${i} for the ${'very '.repeat(5)}long service`, level: 1, user: `Person ${i}`, email: `p${i}@example.com`, end: at }));
    const r = onCallBlocks({ now: entries, next: entries.slice(0, 10) });
    const texts = r.blocks.filter((b: any) => b.type === 'section').map((b: any) => b.text.text as string);
    expect(texts.every((t) => t.length <= 2900)).toBe(true);
    const all = texts.join('\n');
    for (const e of entries) expect(all).toContain(`${e.user} (${e.email})`);
    expect(texts[0].startsWith('*On call now*')).toBe(true);
    expect(all).toContain('*Next*');
  });
});

describe('parameter choices', () => {
  it('offers every choice of a short list and lets a long one be typed, never a cut list', () => {
    const many = Array.from({ length: 150 }, (_, i) => `region-${i}`);
    const modal: any = paramsModal({ incidentId: 1, runbookId: 'x' }, 'X', { few: { type: 'enum', values: ['a', 'b', 'c'] }, many: { type: 'enum', values: many } } as any, {});
    const inputs = modal.blocks.filter((b: any) => b.type === 'input');
    expect(inputs[0].element.type).toBe('static_select');
    expect(inputs[0].element.options.map((o: any) => o.value)).toEqual(['a', 'b', 'c']);
    expect(inputs[1].element.type).toBe('plain_text_input');
  });
});

describe('lists through the bot', () => {
  it('/runbook list shows every loaded runbook, grouped by system, no line cut', async () => {
    const catalog = t.ops.runs.catalog();
    expect(catalog.length).toBeGreaterThan(50);
    const r = await t.ws.slash('U0ALICE', GEN, 'list', { command: '/runbook' });
    const text = visibleText(r.json);
    expect(text).toContain(`*${catalog.length} runbooks*`);
    for (const rb of catalog) expect(text, rb.id).toContain(`\`${rb.id}\` — `);
    for (const s of sections(r.json)) for (const line of s.split('\n')) expect(line).not.toMatch(/…$/);
    expect(text).toMatch(/\*minimarket\* \(\d+\)/);
    expect(r.json.blocks.length).toBeLessThanOrEqual(50);
  });

  it('/incident list shows every open incident', async () => {
    for (let i = 1; i <= 30; i++) await t.ws.slash('U0ALICE', GEN, `open P3 Service number ${i} is slow ${'and degraded '.repeat(6)}`);
    await t.settle();
    const r = await t.ws.slash('U0BOB', GEN, 'list');
    const text = visibleText(r.json);
    expect(text).toContain('30 open incidents');
    // Each links to its thread once its card is posted.
    for (let i = 1; i <= 30; i++) expect(text).toMatch(new RegExp(`\\*<http[^|>]+\\|INC-${i}>\\*`));
  });

  it('/incident show pages the timeline and says how to see older events', async () => {
    await t.ws.slash('U0ALICE', GEN, 'open P2 Checkout down');
    for (let i = 1; i <= 30; i++) await t.ws.slash('U0ALICE', GEN, `update INC-1 step ${i} done`);
    const first = visibleText((await t.ws.slash('U0BOB', GEN, 'show INC-1')).json);
    expect(first).toContain('Timeline events 7–31 of 31 (page 1 of 2) · older: `/incident show INC-1 2`');
    expect(first).toContain('step 30 done');
    expect(first).not.toContain('step 5 done');
    const second = visibleText((await t.ws.slash('U0BOB', GEN, 'show INC-1 2')).json);
    expect(second).toContain('Timeline events 1–6 of 31 (page 2 of 2) · newer: `/incident show INC-1 1`');
    expect(second).toContain('Opened as P2: Checkout down');
    expect(second).toContain('step 5 done');
    const bad = (await t.ws.slash('U0BOB', GEN, 'show INC-1 two')).json.text;
    expect(bad).toContain('The page is a number');
  });

  it('names the matching runbooks beyond the first five in the suggestions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-lists-'));
    mkdirSync(join(dir, 'runbooks'));
    for (let i = 1; i <= 8; i++) {
      writeFileSync(join(dir, 'runbooks', `checkout-${i}.yml`), `title: Checkout fix ${i}\nmatch: { keywords: [checkout] }\nsteps:\n  - id: look\n    title: Look\n    manual: { instruction: look at the checkout }\n`);
    }
    const own = await startLocal({ env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks') } });
    try {
      await own.ws.slash('U0ALICE', GEN, 'open P3 Checkout down');
      await own.settle();
      const card = own.messages(INC)[0];
      const suggestion = await waitFor(async () => {
        await own.settle();
        return own.messages(INC, card.ts).find((m) => m.text.startsWith('Runbooks that match'));
      });
      const starts = (suggestion.blocks ?? []).filter((b: any) => b.accessory?.action_id === 'run.start');
      expect(starts).toHaveLength(5);
      const shown = new Set(starts.map((b: any) => b.accessory.value));
      const rest = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `checkout-${i}`).filter((id) => !shown.has(id));
      expect(visibleText(suggestion)).toContain(`3 more runbooks match; start one with \`/runbook run &lt;id&gt;\` here:\n${rest.map((id) => `\`${id}\``).join(', ')}`);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
