import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/slack-app.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;

beforeEach(async () => { t = await startLocal(); });
afterEach(() => t.close());

async function openP1(title = 'Checkout API down', user = 'U0ALICE') {
  const r = await t.ws.slash(user, GEN, `open P1 ${title}`);
  await t.settle();
  return r;
}
const card = () => t.messages(INC)[0];
const thread = () => t.messages(INC, card().ts);

describe('/incident through the real Bolt app', () => {
  it('opens an incident: acked in time, card in the incidents channel, a thread under it', async () => {
    const r = await openP1();
    expect(r.status).toBe(200);
    expect(r.durationMs).toBeLessThan(3000);
    expect(r.json?.text).toMatch(/Opened \*INC-1\* \(P1\)/);
    expect(t.messages(INC)).toHaveLength(1);
    const text = visibleText(card());
    for (const s of ['INC-1 · P1 · Checkout API down', 'investigating', '<@U0ALICE>', 'Acknowledge', 'Resolve', 'PagerDuty: off']) {
      expect(text).toContain(s);
    }
    expect(thread().map((m) => m.text).join('\n')).toMatch(/opened this P1 incident/);
  });

  it('runs the card buttons: acknowledge, severity, commander, update and resolve modals', async () => {
    await openP1();
    const ts = card().ts;
    await t.ws.click('U0BOB', { channel: INC, ts }, 'incident.acknowledge');
    await t.settle();
    expect(visibleText(card())).toContain('Acknowledged by*\n<@U0BOB>');
    expect(visibleText(card())).not.toContain('Acknowledge\n');

    await t.ws.click('U0BOB', { channel: INC, ts }, 'incident.change_severity', { value: '1:P2' });
    await t.settle();
    expect(visibleText(card())).toContain('INC-1 · P2');

    await t.ws.click('U0BOB', { channel: INC, ts }, 'incident.assign_commander', { value: 'U0CAROL' });
    // Bob is a responder (the on-call group): the policy asks Slack for the group's members first.
    await waitFor(() => visibleText(card()).includes('*Commander*\n<@U0CAROL>'));

    const click = await t.ws.click('U0CAROL', { channel: INC, ts }, 'incident.post_update');
    expect(click.status).toBe(200);
    const view = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0CAROL').at(-1));
    const sub = await t.ws.submitView('U0CAROL', view.id, { status: 'identified', text: 'Bad deploy of 14:02' });
    expect(sub.errors).toBeUndefined();
    await t.settle();
    expect(visibleText(card())).toContain('identified');

    await t.ws.click('U0CAROL', { channel: INC, ts }, 'incident.resolve');
    const rv = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0CAROL' && v.id !== view.id).at(-1));
    await t.ws.submitView('U0CAROL', rv.id, { summary: 'Rolled back' });
    await t.settle();
    expect(visibleText(card())).toContain('resolved');
    const lines = thread().map((m) => m.text).join('\n');
    expect(lines).toMatch(/acknowledged/);
    expect(lines).toMatch(/changed the severity from P1 to \*P2\*/);
    expect(lines).toMatch(/made <@U0CAROL> the commander/);
    expect(lines).toMatch(/Bad deploy of 14:02/);
    expect(lines).toMatch(/Time to acknowledge:\* \d+s · \*Time to mitigate:\* no verified recovery · \*Time to resolve:\*/);
    expect(lines).toMatch(/Timeline:\* .*1 update/);
  });

  it('applies thread commands to the thread incident, else needs INC-n', async () => {
    await openP1();
    const ts = card().ts;
    const inThread = await t.ws.slash('U0BOB', INC, 'ack', { threadTs: ts });
    expect(inThread.json?.text).toMatch(/Acknowledged \*INC-1\*/);
    const nowhere = await t.ws.slash('U0BOB', GEN, 'status identified');
    expect(nowhere.json?.text).toMatch(/Say which incident/);
    const withRef = await t.ws.slash('U0BOB', GEN, 'status INC-1 identified');
    expect(withRef.json?.text).toMatch(/INC-1\* is now identified/);
    const illegal = await t.ws.slash('U0BOB', GEN, 'resolve INC-1 fixed');
    expect(illegal.json?.text).toMatch(/Resolved/);
    const again = await t.ws.slash('U0BOB', GEN, 'status INC-1 monitoring');
    expect(again.json).toMatchObject({ response_type: 'ephemeral' });
    expect(again.json?.text).toMatch(/resolved\. Reopen it first/);
  });

  it('lists open incidents only to the caller and shows the timeline', async () => {
    await openP1();
    await openP1('Search slow');
    const list = await t.ws.slash('U0CAROL', GEN, 'list');
    expect(list.json.response_type).toBe('ephemeral');
    expect(visibleText(list.json)).toMatch(/2 open incidents/);
    expect(visibleText(list.json)).toContain('INC-2');
    const show = await t.ws.slash('U0CAROL', GEN, 'show INC-1');
    expect(visibleText(show.json)).toMatch(/opened[\s\S]*Opened as P1: Checkout API down/);
    const help = await t.ws.slash('U0CAROL', GEN, 'help');
    expect(help.json.text).toContain('`/incident open &lt;severity&gt; [system] &lt;title&gt;`');
  });

  it('answers bad input with the reason and the usage, and opens nothing', async () => {
    for (const [text, reason] of [['bogus', 'Unknown subcommand'], ['open P9 x', 'Unknown severity "P9"'], ['open P1', 'title is missing'], ['open P1 ' + 'y'.repeat(200), 'longer than 120']]) {
      const r = await t.ws.slash('U0ALICE', GEN, text);
      expect(r.status).toBe(200);
      expect(r.json.response_type).toBe('ephemeral');
      expect(r.json.text).toContain(reason);
    }
    await t.settle();
    expect(t.messages(INC)).toHaveLength(0);
  });

  it('opens the form with no arguments and opens from its submission', async () => {
    await t.ws.slash('U0ALICE', GEN, '');
    const view = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0ALICE').at(-1));
    const bad = await t.ws.submitView('U0ALICE', view.id, { severity: 'P2', title: '' });
    expect(bad.errors ?? bad.clientErrors).toBeDefined();
    const ok = await t.ws.submitView('U0ALICE', view.id, { severity: 'P2', title: 'Payments slow', summary: 'p95 4s', service: 'payments', commander: 'U0DAVE' });
    expect(ok.errors).toBeUndefined();
    await t.settle();
    const text = visibleText(card());
    expect(text).toContain('INC-1 · P2 · Payments slow');
    expect(text).toContain('*Commander*\n<@U0DAVE>');
    expect(text).toContain('payments');
  });
});
