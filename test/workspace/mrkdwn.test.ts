import { describe, expect, it } from 'vitest';
import { emojiTable } from '#workspace/emoji.js';
import { lookup, mrkdwn, textObject } from '#workspace/page/mrkdwn.js';

lookup.users.set('U0ALICE', { name: 'alice' });
lookup.channels.set('C0INCIDENTS', { name: 'incidents' });

describe('mrkdwn rendering', () => {
  it('formats bold, italic, strike and inline code', () => {
    expect(mrkdwn('*b* _i_ ~s~ `c`')).toBe('<b>b</b> <i>i</i> <s>s</s> <code>c</code>');
  });

  it('does not format inside words or inside code', () => {
    expect(mrkdwn('a*b*c snake_case_name `*x*`')).toBe('a*b*c snake_case_name <code>*x*</code>');
  });

  it('renders mentions, channel links, links and keeps emoji shortcodes as text', () => {
    const html = mrkdwn('<@U0ALICE> <#C0INCIDENTS> <https://example.com|docs> :fire:');
    expect(html).toContain('>@alice</span>');
    expect(html).toContain('data-channel="C0INCIDENTS">#incidents</a>');
    expect(html).toContain('<a href="https://example.com" target="_blank" rel="noopener">docs</a>');
    expect(html).toContain('<span class="emoji">:fire:</span>');
  });

  it('shows shortcodes as emoji from the maintained table, Slack names included; unknown ones stay text', () => {
    lookup.emoji = new Map(Object.entries(emojiTable()));
    try {
      expect(mrkdwn(':white_check_mark: ok :rotating_light:')).toBe('<span class="emoji" title=":white_check_mark:">✅</span> ok <span class="emoji" title=":rotating_light:">🚨</span>');
      expect(mrkdwn(':octagonal_sign:')).toContain('🛑');
      expect(mrkdwn(':no_such_emoji: `:x:`')).toBe('<span class="emoji">:no_such_emoji:</span> <code>:x:</code>');
      expect(textObject({ type: 'plain_text', text: ':x: Failed' })).toContain('❌');
      expect(textObject({ type: 'plain_text', text: ':x: Failed', emoji: false })).toBe(':x: Failed');
      expect(mrkdwn('<https://example.com/:x:|link>')).toContain('href="https://example.com/:x:"');
    } finally {
      lookup.emoji = new Map();
    }
  });

  it('code blocks and quotes', () => {
    expect(mrkdwn('```\nx < 1\n```')).toBe('<pre class="code">x &lt; 1\n</pre>');
    expect(mrkdwn('&gt; quoted')).toBe('<blockquote>quoted</blockquote>');
  });

  it('escapes HTML and refuses script URLs', () => {
    expect(mrkdwn('<script>alert(1)</script>')).not.toContain('<script');
    expect(mrkdwn('&lt;img src=x onerror=alert(1)&gt;')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(mrkdwn('<javascript:alert(1)|click>')).toContain('href="#"');
  });
});

describe('dates', () => {
  it('formats <!date^…> tokens instead of showing a mention', () => {
    const html = mrkdwn('<!date^1700000000^{date_num} {time}|Nov 14>');
    expect(html).toMatch(/^<span class="date">2023-11-1[45] \d{2}:\d{2}( [AP]M)?<\/span>$/);
    expect(mrkdwn('<!date^nope^{date}|fallback text>')).toBe('<span class="date">fallback text</span>');
  });
});
