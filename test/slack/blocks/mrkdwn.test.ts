import { describe, expect, it } from 'vitest';
import { markdownText } from '#core/handoffs/render.js';
import { said } from '#core/said.js';
import { code, escapeMrkdwn, link, opsroomLine, userText } from '#slack/blocks/mrkdwn.js';
import { mrkdwn } from '#workspace/page/mrkdwn.js';

const HOSTILE = '<!channel> <!here> <!everyone> <!subteam^S1> <@U123> <#C1> <https://evil.example|https://bank.example> @here @Channel *bold* a&b';
/** Markup Slack would turn into a broadcast, a mention or a link. */
const LIVE = /<[!@#]|<https?:|@(here|channel|everyone)\b/i;

describe('userText', () => {
  it('leaves no broadcast, mention or link markup', () => {
    const out = userText(HOSTILE);
    expect(out).not.toMatch(LIVE);
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('&lt;https://evil.example|https://bank.example&gt;');
    expect(out).toContain('a&amp;b');
    expect(out).toContain('*bold*');
  });

  it('reads like the original once Slack decodes it: the page shows the words, not mentions or links', () => {
    const html = mrkdwn(userText(HOSTILE));
    expect(html).not.toMatch(/class="mention"|<a /);
    expect(html).toContain('&lt;!channel&gt;');
    expect(html.replace(/\u2060/g, '')).toContain('@here');
  });

  it('keeps line breaks and is never applied twice', () => {
    expect(userText('one\ntwo <@U1>')).toBe('one\ntwo &lt;@U1&gt;');
    expect(userText(userText(HOSTILE))).toBe(userText(HOSTILE));
  });

  it('clips before escaping, so no entity is cut', () => {
    expect(userText('<<<<<<', 4)).toBe('&lt;&lt;&lt;…');
  });
});

describe('escapeMrkdwn and code', () => {
  it('escape exactly (output keeps a literal &lt;)', () => {
    expect(escapeMrkdwn('&lt; <b>')).toBe('&amp;lt; &lt;b&gt;');
    expect(code('a`b <!here>')).toBe('`aˋb &lt;!here&gt;`');
  });
});

describe('link', () => {
  it('links http(s) addresses only, with an escaped label', () => {
    expect(link('https://pd.example/incidents/Q1?a=1&b=2', 'incident')).toBe('<https://pd.example/incidents/Q1?a=1&amp;b=2|incident>');
    expect(link('https://x.example|https://bank.example', 'x')).not.toMatch(/<https/);
    expect(link('javascript:alert(1)', 'x')).not.toMatch(/</);
  });
});

describe('opsroomLine', () => {
  it('escapes the marked words and keeps opsroom markup', () => {
    const line = opsroomLine(`:memo: Update from <@U0ALICE>:\n${said('first <!channel>\nsecond @here')}`);
    expect(line).toBe(':memo: Update from <@U0ALICE>:\nfirst &lt;!channel&gt;\nsecond @\u2060here');
  });

  it('cannot be fooled by marks inside the words', () => {
    const line = opsroomLine(`x ${said('\uE001<!here>\uE000')} y`);
    expect(line).toBe('x &lt;!here&gt; y');
  });
});

describe('markdownText', () => {
  it('escapes markdown links, emphasis, code and HTML', () => {
    const out = markdownText('[bank](https://evil.example) *b* `c` <img src=x> # h @here');
    expect(out).toBe('\\[bank\\](https://evil.example) \\*b\\* \\`c\\` &lt;img src=x&gt; \\# h @\u2060here');
  });
});
