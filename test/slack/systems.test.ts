import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFileConfig } from '#config/file.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { ManualClock } from '../support/clock.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const BLATAM = 'C0BLATAM';
const BFF = 'C0BFF';
const STATUS = 'C0STATUS';
const BLATAM_HANDOFF = 'C0BLATAMHO';

const CONFIG = `
systems:
  blatam:
    channel: ${BLATAM}
    announce: { channel: ${STATUS}, severities: [Crítica] }
    severities: { Crítica: P1, Alta: P2, Media: P3 }
    people: { oncall: [S0ONCALL] }
    handoff: { channel: ${BLATAM_HANDOFF} }
  bff:
    channel: ${BFF}
    severities: { Severidad 1: P1, Severidad 2: P2, Severidad 3: P3 }
  ai-multimodel:
    severities: { P0: P1, P1: P2, P2: P3, P3: P4 }
`;

/** CONFIG read the way opsroom reads opsroom.yml. */
function config() {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-systems-'));
  try {
    writeFileSync(join(dir, 'opsroom.yml'), CONFIG);
    return loadFileConfig(join(dir, 'opsroom.yml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let t: LocalOpsroom;
beforeEach(async () => {
  t = await startLocal({ file: config() });
});
afterEach(() => t.close());

const open = async (channel: string, text: string, user = 'U0ALICE') => {
  const r = await t.ws.slash(user, channel, `open ${text}`);
  await t.settle();
  return r.json?.text as string;
};
const cardIn = (channel: string, n = 0) => t.messages(channel)[n];
const threadOf = (channel: string, n = 0) => t.messages(channel, cardIn(channel, n).ts).map((m) => m.text).join('\n');

describe('incidents routed by system, through the real Bolt app', () => {
  it('opens with a Spanish severity name in blatam\'s channel: card there with both names, on call told, announced', async () => {
    const reply = await open(BLATAM, 'Crítica Sistema caído');
    expect(reply).toMatch(/Opened \*INC-1\* \(P1 · Crítica, blatam\) in <#C0BLATAM>/);
    expect(t.messages(INC)).toHaveLength(0);
    const card = visibleText(cardIn(BLATAM));
    expect(card).toContain('INC-1 · P1 · Crítica · Sistema caído');
    expect(card).toContain('*System*\nblatam');
    expect(card).toContain('*Severity*\nP1 · Crítica (Critical)');
    const thread = threadOf(BLATAM);
    expect(thread).toContain('opened this P1 · Crítica incident in blatam');
    expect(thread).toContain('<!subteam^S0ONCALL>');
    const incident = (await t.ops.store.listOpen())[0];
    expect(incident).toMatchObject({ system: 'blatam', severity: 'P1', channel: BLATAM });
    // The announcement links to the card's thread.
    const announced = t.messages(STATUS);
    expect(announced).toHaveLength(1);
    expect(announced[0].text).toContain('P1 · Crítica incident in blatam: Sistema caído');
    expect(announced[0].text).toContain(`/archives/${BLATAM}/p${cardIn(BLATAM).ts.replace('.', '')}|Open the thread>`);
  });

  it('keeps replies in the thread of a system\'s channel on the timeline, and the shortcut adds there too', async () => {
    await open(BLATAM, 'Crítica Sistema caído');
    const card = cardIn(BLATAM);
    const said = await t.ws.message('U0BOB', BLATAM, 'el KV cache no responde', card.ts);
    await waitFor(async () => (await t.ops.store.events(1)).some((e) => e.kind === 'message' && e.text === 'el KV cache no responde'));
    await t.ws.shortcut('U0CAROL', { channel: BLATAM, ts: said.ts }, 'incident.timeline_add');
    await t.settle();
    expect(t.ws.state.data.views.filter((v) => v.user === 'U0CAROL')).toEqual([]); // no picker: the thread names the incident
  });

  it('reads severity then system then title from anywhere; names of several words; a team\'s P1 is its own', async () => {
    expect(await open(GEN, 'Alta BLATAM KV cache lenta')).toMatch(/\(P2 · Alta, blatam\) in <#C0BLATAM>/);
    expect(await open(GEN, 'Severidad 1 bff API caída')).toMatch(/\(P1 · Severidad 1, bff\) in <#C0BFF>/);
    // ai-multimodel's P1 ("High") is opsroom's P2; it has no channel of its own.
    expect(await open(GEN, 'P1 ai-multimodel Latencia alta')).toMatch(/\(P2 · P1, ai-multimodel\) in <#C0INCIDENTS>/);
    expect(visibleText(cardIn(INC))).toContain('INC-3 · P2 · P1 · Latencia alta');
    // Outside any system, P1 is opsroom's P1 and the card is in the incidents channel.
    expect(await open(GEN, 'P1 Checkout down')).toMatch(/Opened \*INC-4\* \(P1\) in <#C0INCIDENTS>/);
    // Only P1 (Crítica) is announced for blatam: nothing for the P2.
    expect(t.messages(STATUS)).toHaveLength(0);
  });

  it('refuses a name the system does not have, naming the ones it has; an unknown system word stays in the title', async () => {
    const bad = await open(GEN, 'Urgente blatam Sistema caído');
    expect(bad).toMatch(/Unknown severity "Urgente"/);
    expect(bad).toContain("blatam's names: Crítica, Alta, Media");
    expect(await t.ops.store.listOpen()).toHaveLength(0);
    expect(await open(GEN, 'Crítica blatan caído')).toMatch(/Unknown severity "Crítica"/);
  });

  it('lists all open incidents with their system, or one system\'s', async () => {
    await open(BLATAM, 'Crítica Sistema caído');
    await open(GEN, 'Severidad 2 bff Celery lento');
    await open(GEN, 'P3 Printer jam');
    // Each key links to its thread once the card is posted: compared without the link.
    const all = visibleText({ blocks: (await t.ws.slash('U0BOB', GEN, 'list')).json?.blocks }).replace(/<[^|>]+\|(INC-\d+)>/g, '$1');
    expect(all).toContain('*3 open incidents*');
    expect(all).toContain('*INC-1* · P1 · Crítica · blatam · investigating · Sistema caído');
    expect(all).toContain('*INC-2* · P2 · Severidad 2 · bff · investigating · Celery lento');
    expect(all).toContain('*INC-3* · P3 · investigating · Printer jam');
    const bff = visibleText({ blocks: (await t.ws.slash('U0BOB', GEN, 'list BFF')).json?.blocks });
    expect(bff).toContain('*1 open incident in bff*');
    expect(bff).toContain('INC-2');
    expect(bff).not.toContain('INC-1');
    const none = await t.ws.slash('U0BOB', GEN, 'list blatan');
    expect(none.json?.text).toMatch(/Unknown system "blatan". Did you mean blatam\?/);
  });

  it('moves an incident to another system: timeline, card re-rendered, a note with a link in the new channel, announced there', async () => {
    await open(GEN, 'Severidad 1 bff API caída');
    const ts = cardIn(BFF).ts;
    // Dave, a bystander, may not: moving changes whose responders count.
    const refused = await t.ws.slash('U0DAVE', GEN, 'system INC-1 blatam');
    expect(refused.json.text).toContain('may move it to another system');
    expect((await t.ops.store.get(1))!.system).not.toBe('blatam');
    const r = await t.ws.slash('U0BOB', GEN, 'system INC-1 blatam');
    await t.settle();
    expect(r.json?.text).toMatch(/\*INC-1\* is now in blatam\. Its thread stays in <#C0BFF>; <#C0BLATAM> was told\./);
    const card = visibleText(cardIn(BFF));
    expect(card).toContain('INC-1 · P1 · Crítica · API caída');
    expect(card).toContain('*System*\nblatam');
    expect(t.messages(BFF, ts).map((m) => m.text).join('\n')).toContain('<@U0BOB> moved this incident from bff to *blatam*');
    const note = t.messages(BLATAM);
    expect(note).toHaveLength(1);
    expect(note[0].text).toContain('INC-1 (P1 · Crítica) moved here from bff: API caída');
    expect(note[0].text).toContain(`/archives/${BFF}/p${ts.replace('.', '')}|Open the thread>`);
    expect(t.messages(STATUS)[0].text).toContain('P1 · Crítica incident in blatam (moved from bff): API caída');
    const events = await t.ops.store.events(1);
    expect(events.find((e) => e.kind === 'system')).toMatchObject({ actor: 'U0BOB', text: 'System bff → blatam', data: { from: 'bff', to: 'blatam' } });
    expect((await t.ops.store.get(1))?.system).toBe('blatam');
    // Inside the thread the INC-n may be left out; moving to where it is already is refused.
    const again = await t.ws.slash('U0BOB', BFF, 'system blatam', { threadTs: ts });
    expect(again.json?.text).toMatch(/INC-1 is already in blatam/);
    const unknown = await t.ws.slash('U0BOB', GEN, 'system INC-1 bfff');
    expect(unknown.json?.text).toMatch(/Unknown system "bfff". Did you mean bff\?/);
  });

  it('the card\'s severity menu sets opsroom\'s level, and a typed severity is read in the incident\'s system', async () => {
    await open(GEN, 'P0 ai-multimodel Servicio caído');
    const ts = cardIn(INC).ts;
    await t.ws.click('U0BOB', { channel: INC, ts }, 'incident.change_severity', { value: '1:P2' });
    await t.settle();
    expect(visibleText(cardIn(INC))).toContain('INC-1 · P2 · P1 · Servicio caído');
    const typed = await t.ws.slash('U0BOB', GEN, 'severity INC-1 P2');
    await t.settle();
    expect(typed.json?.text).toMatch(/is now P3/);
    expect(t.messages(INC, ts).map((m) => m.text).join('\n')).toContain('changed the severity from P2 · P1 to *P3 · P2*');
  });

  it('the open form offers the systems, the channel\'s own first', async () => {
    await t.ws.slash('U0ALICE', BLATAM, 'open');
    const view = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0ALICE').at(-1));
    const select = view.blocks.find((b: { block_id?: string }) => b.block_id === 'system');
    expect(select.element.options.map((o: { value: string }) => o.value)).toEqual(['blatam', 'bff', 'ai-multimodel']);
    expect(select.element.initial_option.value).toBe('blatam');
    const sub = await t.ws.submitView('U0ALICE', view.id, { severity: 'P1', system: 'bff', title: 'Pagos caídos' });
    expect(sub.errors).toBeUndefined();
    await t.settle();
    expect(visibleText(cardIn(BFF))).toContain('INC-1 · P1 · Severidad 1 · Pagos caídos');
  });

  it('a handoff is posted in the handoff channel, and blatam\'s part in blatam\'s own handoff channel', async () => {
    await open(BLATAM, 'Crítica Sistema caído');
    await open(GEN, 'Severidad 2 bff Celery lento');
    const r = await t.ws.slash('U0ALICE', GEN, 'post', { command: '/handoff' });
    expect(r.status).toBe(200);
    await waitFor(() => t.messages(BLATAM_HANDOFF).length > 0);
    const main = visibleText(t.messages(INC).find((m) => /^Handoff:/.test(m.text))!);
    expect(main).toContain('INC-1');
    expect(main).toContain('INC-2');
    const part = t.messages(BLATAM_HANDOFF);
    expect(part).toHaveLength(1);
    expect(part[0].text).toMatch(/^Handoff: blatam: 1 open, 1 P1/);
    const text = visibleText(part[0]);
    expect(text).toContain('Sistema caído');
    expect(text).not.toContain('Celery lento');
  });

  it('the shipped examples/opsroom.yml routes each seed system in the local workspace', async () => {
    const ex = await startLocal({ file: loadFileConfig('examples/opsroom.yml') });
    try {
      const said = async (text: string) => {
        const r = await ex.ws.slash('U0ALICE', GEN, `open ${text}`);
        await ex.settle();
        return r.json?.text as string;
      };
      expect(await said('Crítica blatam Sistema caído')).toMatch(/\(P1 · Crítica, blatam\) in <#C0BLATAMINC>/);
      expect(await said('P0 ai-multimodel Servicio caído')).toMatch(/\(P1 · P0, ai-multimodel\) in <#C0AIINCIDENTS>/);
      expect(await said('Sev 2 bff Celery lento')).toMatch(/\(P2 · Severidad 2, bff\) in <#C0BFFINC>/);
      expect(await said('P1 minimarket Dashboard caído')).toMatch(/\(P1, minimarket\) in <#C0MINIMARKETINC>/);
      expect(await said('P3 denis Telemetría rara')).toMatch(/\(P3, denis\) in <#C0DENISINC>/);
      const status = ex.messages('C0OPSSTATUS').map((m) => m.text).join('\n');
      expect(status).toContain('P1 · Crítica incident in blatam');
      expect(status).toContain('P1 · P0 incident in ai-multimodel');
      expect(status).not.toContain('bff');
      expect(ex.messages('C0MINIEMERGENCIES')[0].text).toContain('P1 incident in minimarket: Dashboard caído');
      // Its handoff channel exists in the local workspace too.
      await ex.ws.slash('U0ALICE', GEN, 'post', { command: '/handoff' });
      await waitFor(() => ex.messages('C_HANDOFF').some((m) => /^Handoff: 5 open/.test(m.text)));
    } finally {
      await ex.close();
    }
  });

  it('a reminder names the level as the system does', async () => {
    const clock = new ManualClock();
    const r = await startLocal({ clock, file: config() });
    try {
      await r.ws.slash('U0ALICE', GEN, 'open Crítica blatam Sistema caído');
      await r.settle();
      clock.advance(16 * 60_000);
      expect(await r.ops.incidents.remindDue()).toEqual([1]);
      await r.settle();
      const card = r.messages(BLATAM)[0];
      expect(r.messages(BLATAM, card.ts).map((m) => m.text).join('\n')).toMatch(/please post one \(P1 · Crítica expects one every 15m\)/);
    } finally {
      await r.close();
    }
  });
});
