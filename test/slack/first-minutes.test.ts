/**
 * What an on-call engineer notices first, through the real Bolt app and the local workspace:
 * typed @names and #channels, usage texts, typed input in errors, reopen, "did you mean".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;

beforeEach(async () => { t = await startLocal(); });
afterEach(() => t.close());

const say = async (text: string, user = 'U0ALICE', command = '/incident') => (await t.ws.slash(user, GEN, text, { command })).json;
const card = () => t.messages(INC)[0];

describe('typed mentions', () => {
  it('sends @name and #channel as Slack does with escaping on, and the app assigns from it', async () => {
    await say('open P1 Checkout API down');
    await t.settle();
    const r = await say('assign INC-1 @carol', 'U0BOB');
    expect(r.text).toBe('<@U0CAROL> is now the commander of *INC-1*.');
    await waitFor(async () => { await t.settle(); return /Commander\*\n<@U0CAROL>/.test(JSON.stringify(card().blocks).replace(/\\n/g, '\n')); });
  });

  it('assigns from a plain name found through users.list, and refuses a name nobody has', async () => {
    await say('open P1 Checkout API down');
    expect((await say('assign INC-1 dave', 'U0BOB')).text).toBe('<@U0DAVE> is now the commander of *INC-1*.');
    expect(t.ws.calls('users.list').length).toBeGreaterThan(0);
    const r = await say('assign INC-1 @mallory', 'U0BOB');
    expect(r.text).toContain('No one person here is called "mallory"');
    expect(r.text).toContain('`/incident assign @alice`');
  });

  it('escapes &, < and > and leaves unknown names as typed', async () => {
    const { escapeSlashText } = await import('#workspace/driver/slash-text.js');
    const data = t.ws.state.data;
    expect(escapeSlashText(data, 'a <b> & @carol, #general. @nobody bob@example.com <@U0BOB> @here'))
      .toBe('a &lt;b&gt; &amp; <@U0CAROL|carol>, <#C0GENERAL|general>. @nobody bob@example.com <@U0BOB> <!here>');
    // The title keeps what was typed: the characters, and @carol as a word, not markup.
    await say('open P2 Cache <eu> & co down, @carol on it @here');
    await t.settle();
    expect(card().text).toContain('Cache &lt;eu&gt; &amp; co down, @carol on it @\u2060here');
  });
});

describe('usage and errors', () => {
  it('shows every usage as written: in code spans, with <, > and | escaped', async () => {
    const r = await say('status INC-1');
    expect(r.text).toContain('Usage:\n`/incident status [INC-n] &lt;investigating|identified|monitoring&gt;` — Move the status');
    // The workspace page shows it as typed: the code span holds the characters < and >.
    const { mrkdwn } = await import('#workspace/page/mrkdwn.js');
    expect(mrkdwn(r.text)).toContain('<code>/incident status [INC-n] &lt;investigating|identified|monitoring&gt;</code>');
    const help = await say('help');
    expect(help.text).toContain('`/incident update [INC-n] &lt;text&gt;`');
    expect(help.text).not.toMatch(/<(?!@)[^>]*>/);
    const nowhere = await say('status identified');
    expect(nowhere.text).toContain('Say which incident: `/incident status INC-7 &lt;investigating|identified|monitoring&gt;`');
    const rb = await say('bogus', 'U0ALICE', '/runbook');
    expect(rb.text).toContain('`/runbook run [INC-n] &lt;runbook&gt; [name=value…]`');
  });

  it('escapes what was typed inside error replies', async () => {
    // Typed @channel reaches the app as <!channel> in real Slack; typed <!here> as entities.
    for (const [text, shown] of [
      ['open <!here> x', 'Unknown severity "&lt;!here&gt;"'],
      ['open @channel x', 'Unknown severity "&lt;!channel&gt;"'],
      ['ack now <@U0BOB> <!channel>', 'Unexpected "now &lt;@U0BOB&gt; &lt;!channel&gt;"'],
      ['<!channel>', 'Unknown subcommand "&lt;!channel&gt;"'],
    ]) {
      const r = await say(text);
      expect(r.text, text).toContain(shown);
      expect(r.text).not.toMatch(/<!(here|channel)>|<@U0BOB>/);
    }
    await say('open P3 Models failing');
    const param = await say('run INC-1 ai-multimodel/circuit-breaker model=<!channel>', 'U0ALICE', '/runbook');
    expect(param.text).toContain('got "&lt;!channel&gt;"');
    expect(param.text).not.toContain('<!channel>');
    const since = await say('since <!channel>', 'U0ALICE', '/handoff');
    expect(since.text).toContain('Cannot read "&lt;!channel&gt;" as a time');
  });
});

describe('reopen', () => {
  it('refuses to reopen an open incident and reopens a resolved one', async () => {
    await say('open P1 Checkout API down');
    await say('status INC-1 identified');
    const r = await say('reopen INC-1');
    expect(r.text).toContain('still open (identified); only a resolved incident can be reopened');
    await t.settle();
    expect(card().text).toContain('identified');
    expect(t.messages(INC, card().ts).map((m) => m.text).join('\n')).not.toContain('reopened');
    await say('resolve INC-1 fixed');
    expect((await say('reopen INC-1')).text).toBe('Reopened *INC-1*.');
    await t.settle();
    expect(card().text).toContain('investigating');
  });
});

describe('/oncall without PagerDuty', () => {
  it('answers from the handoff rotation the local workspace ships, and says nobody is paged', async () => {
    const r = await say('', 'U0DAVE', '/oncall');
    const text = JSON.stringify(r.blocks);
    const [now, next] = [...text.matchAll(/<@(U0[A-Z]+)>/g)].map((m) => m[1]);
    expect(['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE']).toContain(now);
    // The next shift is the next person of the rotation.
    const order = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
    expect(next).toBe(order[(order.indexOf(now) + 1) % 4]);
    expect(text).toContain('From the handoff rotation in opsroom.yml');
    expect(text).toContain('nobody is paged');
    expect(r.text).not.toContain('PagerDuty integration is off');
  });
});

describe('did you mean', () => {
  it('answers mistyped subcommands, severities and runbook ids at once', async () => {
    const sub = await t.ws.slash('U0ALICE', GEN, 'resovle INC-1', { command: '/incident' });
    expect(sub.status).toBe(200);
    expect(sub.json.text).toContain('Unknown subcommand "resovle". Did you mean `/incident resolve`?');
    expect((await say('hlep', 'U0ALICE', '/handoff')).text).toContain('Did you mean `/handoff help`?');
    expect((await say('hlep', 'U0ALICE', '/oncall')).text).toMatch(/^On call now: <@U0[A-Z]+>.* Did you mean `\/oncall help`\?$/);
    expect((await say('open critcal Checkout down')).text).toContain('Unknown severity "critcal". Did you mean P1 (Critical)?');
    expect((await say('open P9 Checkout down')).text).not.toContain('Did you mean');
    const typo = await t.ws.slash('U0ALICE', GEN, 'ack INC-1', { command: '/incidnet' });
    expect(typo.status).toBe(404);
    expect(t.ws.state.data.ephemerals.at(-1)).toMatchObject({ user: 'USLACKBOT', ephemeral_for: 'U0ALICE', text: '/incidnet is not a valid command. Did you mean /incident?' });
    await say('open P1 Checkout API down');
    expect((await say('run INC-1 minimarket/dashbord-down', 'U0ALICE', '/runbook')).text).toContain('Did you mean `minimarket/dashboard-down`?');
    expect((await say('run INC-1 dashboard-down', 'U0ALICE', '/runbook')).text).toContain('Did you mean `examples/dashboard-down` or `minimarket/dashboard-down`?');
    expect((await say('run INC-1 flush-everything', 'U0ALICE', '/runbook')).text).not.toContain('Did you mean');
  });
});
