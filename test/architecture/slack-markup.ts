/**
 * Finds Slack markup written in TypeScript source: mentions (`<@U…>`), broadcasts and groups
 * (`<!here>`, `<!subteam^…>`), channel links (`<#C…>`), emoji shortcodes (`:eyes:`) and mrkdwn
 * bold (`*word*`) in string and template literals. Comments and regular expressions are not text.
 */
import ts from 'typescript';

export interface Finding {
  line: number;
  rule: string;
  text: string;
}

const SLOT = '\u0000';
const RULES: [string, RegExp][] = [
  ['mention', /<@/],
  ['broadcast or group', /<![a-z]/],
  ['channel link', /<#[A-Z\u0000]/],
  ['emoji shortcode', /(?<![\w:/]):[a-z][a-z0-9_+-]*:(?![\w/])/],
  // `*word*` and `*${x}*`, not `**Markdown**` nor the stars of a pattern (`[a-z]*(?:`).
  ['bold', /(?<![*\w\\])\*(?=[\w\u0000])[^*\n]*?[\w\u0000.)]\*(?![*\w])/],
];

/** The literal text of a string or template (substitutions as one placeholder character). */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => SLOT + s.literal.text).join('');
  return undefined;
}

/** Every piece of Slack markup in `source`, with its line. */
export function slackMarkup(source: string, fileName = 'source.ts'): Finding[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: Finding[] = [];
  const visit = (node: ts.Node) => {
    const text = literalText(node);
    if (text !== undefined) {
      for (const [rule, re] of RULES) {
        if (re.test(text)) {
          const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
          found.push({ line, rule, text: text.replaceAll(SLOT, '${…}') });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
