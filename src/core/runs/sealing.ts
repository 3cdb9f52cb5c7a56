/**
 * Sealing: a run's steps are stored with every secret (in every encoded form) replaced by a
 * placeholder `[REDACTED#<nonce>.<index>.<form>]`, so no table ever holds a secret. The values go
 * into a SealedRun, kept in memory and, when a key is configured, stored encrypted (AES-256-GCM,
 * key derived with HKDF from OPSROOM_SECRET_KEY or the configured secrets). Before a step runs it
 * is unsealed: each placeholder becomes the same form of the same value again. The nonce is random
 * per run and parameter values cannot hold `[REDACTED#<nonce>…]` before it exists, so a value typed
 * into one parameter can never pull a secret into a command.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { MIN_SECRET_LENGTH } from './redact.js';
import { formsOf, SECRET_FORMS } from './secret-forms.js';

export interface SealedRun {
  nonce: string;
  values: string[];
}

const PLACEHOLDER = /\[REDACTED#([0-9a-f]+)\.(\d+)\.([a-z0-9_]+)\]/g;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const newSealedRun = (values: readonly string[]): SealedRun => ({
  nonce: randomBytes(8).toString('hex'),
  values: [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH))],
});

/** Replaces every form of every value in each string inside `value` by its placeholder. */
export function seal<T>(value: T, run: SealedRun): T {
  const byText = new Map<string, string>();
  run.values.forEach((v, i) => {
    for (const f of formsOf(v, MIN_SECRET_LENGTH)) if (!byText.has(f.text)) byText.set(f.text, `[REDACTED#${run.nonce}.${i}.${f.form}]`);
  });
  if (byText.size === 0) return value;
  const re = new RegExp([...byText.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'g');
  return mapStrings(value, (s) => s.replace(re, (m) => byText.get(m)!));
}

/** Whether any string inside `value` holds a placeholder of this run (or of any run, without a nonce). */
export function isSealed(value: unknown, nonce?: string): boolean {
  let found = false;
  mapStrings(value, (s) => {
    for (const m of s.matchAll(PLACEHOLDER)) if (nonce === undefined || m[1] === nonce) found = true;
    return s;
  });
  return found;
}

/** Puts the values back: each placeholder of this run becomes its form of its value. */
export function unseal<T>(value: T, run: SealedRun): T {
  return mapStrings(value, (s) => s.replace(PLACEHOLDER, (m, nonce: string, i: string, form: string) => {
    const v = run.values[Number(i)];
    const encode = SECRET_FORMS[form];
    return nonce === run.nonce && v !== undefined && encode ? encode(v) : m;
  }));
}

function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  }
  return value;
}

/** Encrypts SealedRuns for storage. Without key material it keeps nothing (memory only). */
export class SecretVault {
  private readonly key: Buffer | undefined;

  /** `material`: OPSROOM_SECRET_KEY, or the configured secrets joined; empty means no key. */
  constructor(material: string | undefined) {
    this.key = material ? Buffer.from(hkdfSync('sha256', material, 'opsroom', 'run secrets v1', 32)) : undefined;
  }

  get enabled(): boolean {
    return this.key !== undefined;
  }

  /** `v1:` and base64url(iv, tag, ciphertext), or null without a key. */
  encrypt(run: SealedRun): string | null {
    if (!this.key) return null;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(JSON.stringify(run), 'utf8'), c.final()]);
    return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The SealedRun, or null without a key or when it cannot be decrypted (another key). */
  decrypt(text: string | null): SealedRun | null {
    if (!this.key || !text?.startsWith('v1:')) return null;
    try {
      const raw = Buffer.from(text.slice(3), 'base64url');
      const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      const run = JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as SealedRun;
      return typeof run.nonce === 'string' && Array.isArray(run.values) ? run : null;
    } catch {
      return null;
    }
  }
}
