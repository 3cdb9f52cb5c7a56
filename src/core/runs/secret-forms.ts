/**
 * The forms a secret value takes once something has encoded it: shell quoting, JSON strings,
 * percent-encoding, base64 (also inside a longer encoded text, at each byte alignment), hex, HTML
 * entities and backslash escapes. Redaction hides every form; sealing (sealing.ts) replaces each
 * form by a placeholder naming it, so the same form can be rebuilt from the value later.
 */

export type SecretForm = (value: string) => string;

const b64 = (buf: Buffer, url: boolean): string => {
  const s = buf.toString('base64');
  return url ? s.replace(/\+/g, '-').replace(/\//g, '_') : s;
};

/**
 * The base64 characters that depend only on the secret's bytes when it sits `offset` (0, 1, 2)
 * bytes into a longer buffer: what `base64` of `user:secret` or of a whole file shows of it.
 */
const base64Inside = (offset: number, url: boolean): SecretForm => (value) => {
  const bytes = Buffer.from(value, 'utf8');
  const padded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]);
  const from = Math.ceil((8 * offset) / 6);
  const to = Math.floor((8 * (offset + bytes.length)) / 6);
  return b64(padded, url).slice(from, to);
};

const nonAsciiEscaped = (s: string): string => s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const json = (v: string): string => JSON.stringify(v).slice(1, -1);
const rfc3986 = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Text forms: what quoting or escaping leaves of a value. */
const TEXT_FORMS: Record<string, SecretForm> = {
  raw: (v) => v,
  // POSIX shell: inside '…' (a quote is '\''), inside "…", and backslash-escaped (printf %q).
  sq: (v) => v.replaceAll("'", `'\\''`),
  dq: (v) => v.replace(/[\\"$`]/g, '\\$&'),
  bs: (v) => v.replace(/[^A-Za-z0-9_\-./,:@%+=]/g, '\\$&'),
  // Regular expressions (output_matches, grep).
  re: (v) => v.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  bre: (v) => v.replace(/[.*[\]^$\\]/g, '\\$&'),
  // JSON strings: as JSON.stringify writes them, with \u escapes for non-ASCII, and with \/.
  json,
  jsonu: (v) => nonAsciiEscaped(json(v)),
  jsons: (v) => json(v).replace(/\//g, '\\/'),
  // HTML / Slack mrkdwn entities.
  html: (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  htmlq: (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
};

/** Byte forms: encodings of the bytes of a text form (percent, base64, hex). */
const BYTE_FORMS: Record<string, SecretForm> = {
  // Percent-encoding: encodeURIComponent, RFC 3986 (curl --data-urlencode), forms (space as +), lower-case hex.
  pct: (v) => encodeURIComponent(v),
  pct3986: rfc3986,
  form: (v) => rfc3986(v).replace(/%20/g, '+'),
  pctl: (v) => encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  // Every byte percent-encoded (od | sed, some URL libraries).
  pcta: (v) => Buffer.from(v, 'utf8').toString('hex').toUpperCase().replace(/../g, '%$&'),
  pctal: (v) => Buffer.from(v, 'utf8').toString('hex').replace(/../g, '%$&'),
  b64: (v) => b64(Buffer.from(v, 'utf8'), false),
  b64u: (v) => b64(Buffer.from(v, 'utf8'), true).replace(/=+$/, ''),
  b64at0: base64Inside(0, false),
  b64at1: base64Inside(1, false),
  b64at2: base64Inside(2, false),
  b64uat0: base64Inside(0, true),
  b64uat1: base64Inside(1, true),
  b64uat2: base64Inside(2, true),
  hex: (v) => Buffer.from(v, 'utf8').toString('hex'),
  hexu: (v) => Buffer.from(v, 'utf8').toString('hex').toUpperCase(),
};

/** Text forms whose bytes are also encoded: a quoted or JSON-escaped secret inside base64, a URL… */
const INNER = ['raw', 'sq', 'dq', 'bs', 'json'] as const;

/**
 * Every form by name: each text form, and each byte form of the inner text forms (`b64at1_json`
 * is the base64 of a JSON string holding the value). The names are stored in placeholders: never
 * rename one.
 */
export const SECRET_FORMS: Readonly<Record<string, SecretForm>> = {
  ...TEXT_FORMS,
  ...BYTE_FORMS,
  ...Object.fromEntries(INNER.filter((i) => i !== 'raw').flatMap((i) =>
    Object.entries(BYTE_FORMS).map(([n, f]) => [`${n}_${i}`, (v: string) => f(TEXT_FORMS[i](v))]))),
};

/** Each distinct form of `value` at least `min` characters long, with the name of one form that gives it. */
export function formsOf(value: string, min: number): Array<{ form: string; text: string }> {
  const seen = new Set<string>();
  const out: Array<{ form: string; text: string }> = [];
  for (const [form, encode] of Object.entries(SECRET_FORMS)) {
    const text = encode(value);
    if (text.length < min || seen.has(text)) continue;
    seen.add(text);
    out.push({ form, text });
  }
  return out;
}
