// What Slack does to a typed slash command's text before sending it to an app whose command has
// "Escape channels, users, and links" on (should_escape: true in manifest.yml): &, < and > become
// entities, @here/@channel/@everyone become <!here>…, and @name and #channel of people and
// channels it knows become mentions.
import type { StateData } from '../state.js';

/** A mention picked from the composer's list is sent as the token it already is. */
const PICKED = /<[@#][UWC][A-Z0-9]+(?:\|[^<>]*)?>/g;
const NAMED = /(^|[\s(,])([@#])([\w.-]+)/g;

const entities = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function escapeSlashText(data: Pick<StateData, 'users' | 'channels'>, text: string): string {
  const picked: string[] = [];
  const held = text.replace(PICKED, (m) => `\u0000${picked.push(m) - 1}\u0000`);
  const named = entities(held).replace(NAMED, (whole, before: string, sigil: string, name: string) => {
    const trail = /[.-]+$/.exec(name)?.[0] ?? '';
    const bare = name.slice(0, name.length - trail.length).toLowerCase();
    if (sigil === '@' && /^(here|channel|everyone)$/.test(bare)) return `${before}<!${bare}>${trail}`;
    if (sigil === '@') {
      const u = data.users.find((x) => x.name.toLowerCase() === bare);
      return u ? `${before}<@${u.id}|${u.name}>${trail}` : whole;
    }
    const c = data.channels.find((x) => !x.is_im && x.name.toLowerCase() === bare);
    return c ? `${before}<#${c.id}|${c.name}>${trail}` : whole;
  });
  return named.replace(/\u0000(\d+)\u0000/g, (_, i: string) => picked[Number(i)]);
}

/**
 * A message typed in the page's composer as Slack's client sends it: entities, broadcasts as
 * <!here>, people as <@U…> (a message's mentions carry no name), channels as <#C…|name>.
 */
export function escapeMessageText(data: Pick<StateData, 'users' | 'channels'>, text: string): string {
  return escapeSlashText(data, text).replace(/<@([UW][A-Z0-9]+)\|[^<>]*>/g, '<@$1>');
}
