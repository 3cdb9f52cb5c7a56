import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slackMarkup } from './slack-markup.js';

const ROOT = join(import.meta.dirname, '../..');
const CORE = join(ROOT, 'src/core');

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

const findings = () => walk(CORE).flatMap((path) => {
  const file = relative(ROOT, path);
  return slackMarkup(readFileSync(path, 'utf8'), path).map((f) => ({ file, ...f }));
});

describe('the core speaks facts, not Slack', () => {
  it('finds each kind of Slack markup in a sample, and none in plain words, comments or patterns', () => {
    const sample = [
      'const a = `:eyes: <@${actor}> acknowledged.`;',
      "const b = '<!here> look';",
      'const c = `<!subteam^${id}>`;',
      'const d = `see <#${channel}>`;',
      'const e = `moved to *${status}*.`;',
      "const f = 'now *resolved*';",
    ].join('\n');
    const rules = slackMarkup(sample).map((f) => `${f.line} ${f.rule}`);
    expect(rules).toEqual(['1 mention', '1 emoji shortcode', '2 broadcast or group', '3 broadcast or group', '4 channel link', '5 bold', '6 bold']);
    const clean = [
      '// :eyes: <@U1> *bold* in a comment',
      'const re = /<@([UW][A-Z0-9]+)>/g;',
      "const p = '(?<![\\\\w-])(' + '[a-z0-9-]*(?:\\\\.[a-z]+)*';",
      'const md = `**${w.status}:** ${s}`;',
      "const where = 'file:line:column';",
      'const key = `recovery:${runId}/${stepId}`;',
      'const t = `${n} min, 2 * 3 = 6`;',
    ].join('\n');
    expect(slackMarkup(clean)).toEqual([]);
  });

  it('src/core writes no mentions, emoji or bold', () => {
    expect(findings().map((f) => `${f.file}:${f.line} ${f.rule}: ${f.text}`)).toEqual([]);
  });
});
