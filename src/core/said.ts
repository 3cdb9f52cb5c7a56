/**
 * Words that are not opsroom's own (titles, updates, notes, names from the pager) inside a line
 * opsroom writes. The core marks them; each renderer escapes marked spans for its format, so
 * nobody else's text can speak for the bot (mentions, broadcasts, links).
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKS = /[\uE000-\uE003]/g;
const PERSON = /\uE002([^\uE000-\uE003]*)\uE003/g;

/** Marks `s` as someone else's words. */
export const said = (s: string) => `${OPEN}${s.replace(MARKS, '')}${CLOSE}`;

/** A person (a user id, or a group id starting with S): each renderer names them its own way (Slack: a mention). */
export const person = (id: string) => `\uE002${id.replace(MARKS, '')}\uE003`;

export interface Part {
  said: boolean;
  text: string;
  /** `text` is a person's id. */
  person?: true;
}

/** The line as opsroom's parts and marked parts, in order. */
export function saidParts(line: string): Part[] {
  const parts: Part[] = [];
  const re = /\uE000([^\uE000\uE001]*)\uE001|\uE002([^\uE000-\uE003]*)\uE003/g;
  let at = 0;
  for (let m; (m = re.exec(line)); at = re.lastIndex) {
    if (m.index > at) parts.push({ said: false, text: line.slice(at, m.index).replace(MARKS, '') });
    parts.push(m[2] !== undefined ? { said: false, text: m[2], person: true } : { said: true, text: m[1].replace(MARKS, '') });
  }
  if (at < line.length) parts.push({ said: false, text: line.slice(at).replace(MARKS, '') });
  return parts;
}

/** The line without marks (plain text consumers: logs, JSON, comparisons). */
export const unsaid = (line: string) => line.replace(PERSON, '@$1').replace(MARKS, '');
