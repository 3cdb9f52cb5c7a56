/**
 * Secret redaction, applied before output leaves the engine's executor wrapper: configured secret
 * values in every encoded form (secret-forms.ts) and common credential patterns. `StreamRedactor` does the same on streamed
 * chunks, holding back the unfinished line (and a whole private-key block) so a secret split across
 * chunks is still caught.
 */
import { formsOf } from './secret-forms.js';

export const REDACTED = '[REDACTED]';

interface Rule {
  name: string;
  re: RegExp;
  /** Replacement for a match; the default replaces the whole match. */
  replace?: (m: string[]) => string;
}

/** `key=value` / `key: value`: keep the key and separator, hide the value. */
const keepKey = (m: string[]): string => `${m[1]}${m[2]}${REDACTED}`;
const VALUE = `("[^"\\n]*"|'[^'\\n]*'|[^\\s"',;&]+)`;

const PATTERN_RULES: readonly Rule[] = [
  /** A sealed secret in a stored step (sealing.ts): shown as the plain marker. */
  { name: 'sealed', re: /\[REDACTED#[0-9a-f]+\.\d+\.[a-z0-9_]+\]/g },
  { name: 'private-key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g },
  /** A block cut short (truncated output): hide everything after its header. */
  { name: 'private-key-open', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*$/g },
  /** A PEM block in base64 (Kubernetes secrets: `tls.key: LS0tLS1CRUdJTi…`). */
  { name: 'base64-pem', re: /\bLS0tLS1CRUdJTi[A-Za-z0-9+/]*={0,2}/g },
  { name: 'aws-access-key', re: /\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b/g },
  { name: 'aws-secret', re: new RegExp(`(aws_secret_access_key|AWS_SECRET_ACCESS_KEY|aws_session_token|AWS_SESSION_TOKEN)(\\s*[=:]\\s*)${VALUE}`, 'g'), replace: keepKey },
  { name: 'bearer', re: /(\bBearer\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi, replace: (m) => `${m[1]}${REDACTED}` },
  { name: 'basic-auth', re: /(\bAuthorization\s*:\s*Basic\s+)([A-Za-z0-9+/]+=*)/gi, replace: (m) => `${m[1]}${REDACTED}` },
  { name: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{6,}/g },
  { name: 'slack-app-token', re: /\bxapp-[A-Za-z0-9-]{6,}/g },
  /** PagerDuty REST tokens: user tokens `u+…`, and the `Token token=…` header form. */
  { name: 'pagerduty-user-token', re: /(?<![A-Za-z0-9+/])u\+[A-Za-z0-9_-]{18,}/g },
  { name: 'pagerduty-header', re: /(\bToken\s+token=)([^\s"',]+)/gi, replace: (m) => `${m[1]}${REDACTED}` },
  { name: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { name: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { name: 'url-password', re: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, replace: (m) => `${m[1]}${REDACTED}${m[3]}` },
  {
    name: 'assignment',
    re: new RegExp(`(\\b[A-Za-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*)(\\s*[=:]\\s*|"\\s*:\\s*)${VALUE}`, 'gi'),
    replace: keepKey,
  },
];

/** For steps marked `redact: true` (they print configuration such as `cat .env`): every env-style value. */
const STRICT_RULES: readonly Rule[] = [
  { name: 'env-assignment', re: /^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.+)$/gm, replace: keepKey },
  /** YAML values that look like base64 (`kubectl get secret -o yaml` data). */
  { name: 'yaml-base64', re: /^(\s*[A-Za-z0-9_.-]+)(:[ \t]+)([A-Za-z0-9+/]{12,}={0,2})[ \t]*$/gm, replace: keepKey },
];

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each secret, its lines (for multi-line ones) and every encoded form of them, longest first. */
function secretTexts(secrets: readonly string[]): string[] {
  const values = new Set<string>();
  for (const s of secrets) {
    if (s.length >= MIN_SECRET_LENGTH) values.add(s);
    // A multi-line secret is also hidden line by line (a stream may show one line at a time).
    if (s.includes('\n')) for (const line of s.split(/\r?\n/)) if (line.trim().length >= 8) values.add(line.trim());
  }
  const texts = new Set<string>();
  for (const v of values) for (const f of formsOf(v, MIN_SECRET_LENGTH)) texts.add(f.text);
  return [...texts].sort((a, b) => b.length - a.length);
}

/** Configured secrets shorter than this are ignored: they would redact ordinary text. */
export const MIN_SECRET_LENGTH = 4;

export interface RedactorOptions {
  /** Secret values to hide wherever they appear, raw or encoded. */
  secrets?: readonly string[];
  /** Also hide every `KEY=value` value. */
  strict?: boolean;
  /** The common credential patterns too (default true); false: only the given values. */
  patterns?: boolean;
}

export class Redactor {
  private readonly rules: Rule[];
  /** Longest configured secret: how far back a streamed match can reach within a line. */
  readonly longestSecret: number;

  constructor(options: RedactorOptions = {}) {
    const sorted = secretTexts(options.secrets ?? []);
    this.longestSecret = sorted[0]?.length ?? 0;
    this.rules = [];
    if (sorted.length > 0) this.rules.push({ name: 'secret', re: new RegExp(sorted.map(escapeRe).join('|'), 'g') });
    if (options.patterns !== false) this.rules.push(...PATTERN_RULES);
    if (options.strict) this.rules.push(...STRICT_RULES);
  }

  redact(text: string): string {
    let out = text;
    for (const rule of this.rules) {
      rule.re.lastIndex = 0;
      out = out.replace(rule.re, (match: string, ...rest: unknown[]) =>
        rule.replace ? rule.replace([match, ...(rest.slice(0, -2) as string[])]) : REDACTED);
    }
    return out;
  }

  /** Ranges [start, end) of every raw match, used to avoid cutting a stream inside one. */
  matchRanges(text: string): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    for (const rule of this.rules) {
      const re = new RegExp(rule.re.source, rule.re.flags.includes('g') ? rule.re.flags : `${rule.re.flags}g`);
      for (let m = re.exec(text); m; m = re.exec(text)) {
        ranges.push([m.index, m.index + m[0].length]);
        if (m[0].length === 0) re.lastIndex++;
      }
    }
    return ranges;
  }

  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/g;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/g;

/** Index of the first private-key header in `text` with no footer after it, or -1. */
function openBlock(text: string): number {
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) {
    PEM_END.lastIndex = m.index;
    if (!PEM_END.test(text)) return m.index;
  }
  return -1;
}

export interface StreamRedactorOptions {
  /** An unfinished line longer than this is flushed in part (never inside a match). */
  maxLineBuffer?: number;
  /** A private-key block still open after this many characters is hidden up to its footer. */
  maxBlockBuffer?: number;
}

/** Redacts a stream: `push` returns what can safely be shown now, `end` the rest. */
export class StreamRedactor {
  private pending = '';
  /** Inside an over-long private-key block: input is dropped until its footer. */
  private dropping = false;
  private readonly maxLine: number;
  private readonly maxBlock: number;

  constructor(private readonly redactor: Redactor, options: StreamRedactorOptions = {}) {
    this.maxLine = options.maxLineBuffer ?? 16 * 1024;
    this.maxBlock = options.maxBlockBuffer ?? 64 * 1024;
  }

  push(chunk: string): string {
    this.pending += chunk;
    let prefix = '';
    if (this.dropping) {
      PEM_END.lastIndex = 0;
      const end = PEM_END.exec(this.pending);
      if (!end) {
        // Keep only enough to recognise a footer split across chunks.
        this.pending = this.pending.slice(-64);
        return '';
      }
      this.dropping = false;
      this.pending = this.pending.slice(end.index + end[0].length);
    }
    // Complete lines are safe to redact; the unfinished one waits.
    let cut = this.pending.lastIndexOf('\n') + 1;
    if (this.pending.length - cut > this.maxLine) cut = this.longLineCut(cut);
    // Never release part of a private-key block.
    const open = openBlock(this.pending.slice(0, cut));
    if (open >= 0) {
      cut = open;
      if (this.pending.length - open > this.maxBlock) {
        prefix = this.redactor.redact(this.pending.slice(0, open)) + REDACTED;
        this.pending = '';
        this.dropping = true;
        return prefix;
      }
    }
    const ready = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return ready ? this.redactor.redact(ready) : '';
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    if (this.dropping) return '';
    const open = openBlock(rest);
    if (open >= 0) return this.redactor.redact(rest.slice(0, open)) + REDACTED;
    return this.redactor.redact(rest);
  }

  /** Where to cut a very long unfinished line that starts at `lineStart`. */
  private longLineCut(lineStart: number): number {
    const line = this.pending.slice(lineStart);
    let cut = line.length - Math.max(1024, this.redactor.longestSecret);
    for (const [s, e] of this.redactor.matchRanges(line)) if (s < cut && e >= cut) cut = s;
    return lineStart + Math.max(0, cut);
  }
}
