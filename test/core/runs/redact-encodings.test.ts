import { describe, expect, it } from 'vitest';
import { shellQuote } from '#core/runbooks/templates.js';
import { scrubTyped } from '#core/runs/known-secrets.js';
import { Redactor, REDACTED } from '#core/runs/redact.js';
import { isSealed, newSealedRun, seal, SecretVault, unseal } from '#core/runs/sealing.js';
import { SECRET_FORMS } from '#core/runs/secret-forms.js';
import { step } from './support/scripted-runner.js';

/** Secrets with every character an encoder treats specially. */
const SECRETS = [
  `pa'ss "w$rd/é&<k>`,
  'Zm9vYmFy-plain-token-42',
  'short1',
  'a b+c=d?e#f%g',
];

/** Everything an encoded secret can look like in output, made by the encoders programs use. */
function encodings(s: string): Record<string, string> {
  const b = (t: string) => Buffer.from(t, 'utf8');
  return {
    raw: s,
    'shell single quotes': shellQuote(s),
    'shell double quotes': `"${s.replace(/[\\"$`]/g, '\\$&')}"`,
    'printf %q style': s.replace(/[^A-Za-z0-9_\-./,:@%+=]/g, '\\$&'),
    'JSON.stringify': JSON.stringify({ password: s }),
    'JSON with \\u escapes': JSON.stringify({ p: s }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'JSON with \\/': JSON.stringify([s]).replace(/\//g, '\\/'),
    encodeURIComponent: `https://x.example/?q=${encodeURIComponent(s)}&x=1`,
    URLSearchParams: new URLSearchParams({ a: '1', secret: s }).toString(),
    'lower-case percent': encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    base64: b(s).toString('base64'),
    base64url: b(s).toString('base64url'),
    'base64 of user:secret': b(`user:${s}`).toString('base64'),
    'base64 of ab:secret': b(`ab:${s}`).toString('base64'),
    'base64 of a:secret:z': b(`a:${s}:z`).toString('base64'),
    'base64url inside JSON': b(JSON.stringify({ k: 'v', s })).toString('base64url'),
    hex: b(s).toString('hex'),
    'HEX': b(`x${s}`).toString('hex').toUpperCase(),
    'mrkdwn entities': s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    'regex escaped': s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  };
}

/** True when any form of the secret (the forms are the ones the encoders above produce) is still there. */
const leaks = (text: string, s: string) => Object.values(SECRET_FORMS).some((f) => f(s).length >= 4 && text.includes(f(s)));

describe('a configured secret is hidden in every encoding', () => {
  const r = new Redactor({ secrets: SECRETS, patterns: false });
  for (const s of SECRETS) {
    for (const [name, text] of Object.entries(encodings(s))) {
      it(`${JSON.stringify(s)} ${name}`, () => {
        const line = `before ${text} after\n`;
        const out = r.redact(line);
        expect(out).toContain(REDACTED);
        expect(leaks(out, s)).toBe(false);
        expect(out.startsWith('before ')).toBe(true);
      });
    }
  }

  it('in a stream cut at every position', () => {
    const text = `${Object.values(encodings(SECRETS[0])).join('\n')}\n`;
    for (let cut = 1; cut < text.length; cut += 7) {
      const st = r.stream();
      const out = st.push(text.slice(0, cut)) + st.push(text.slice(cut)) + st.end();
      expect(leaks(out, SECRETS[0])).toBe(false);
    }
  });

  it('leaves text without secrets alone', () => {
    const text = 'PONG\nuser=app host=db port=5432 aGVsbG8gd29ybGQ=\n';
    expect(r.redact(text)).toBe(text);
  });
});

describe('typed text', () => {
  it.each([
    ['Slack bot token', 'rotate xoxb-123456789012-1234567890123-AbCdEfGhIjKl now', 'xoxb-123456789012'],
    ['Slack app token', 'the app token xapp-1-A0123-4567-abcdef was pasted', 'xapp-1-A0123'],
    ['Slack refresh token', 'xoxe-1-ABCDEFGHIJKLMNOP leaked', 'xoxe-1-ABCDEFGH'],
    ['PagerDuty user token', 'PD token u+AbCdEfGhIjKlMnOpQrSt here', 'u+AbCdEfGhIjKlMnOpQrSt'],
    ['PagerDuty header', 'curl -H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"', 'y_NbAkKc66ryYTWUXYEu'],
    ['private key', 'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\nend', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU'],
  ])('hides a %s', (_n, text, secret) => {
    const out = scrubTyped(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps ordinary updates as typed', () => {
    const text = 'Rolled back deploy 1234; error rate is 0.2% and falling. <@U0BOB> is watching.';
    expect(scrubTyped(text)).toBe(text);
  });
});

describe('sealing a step', () => {
  const secret = SECRETS[0];
  const s = step('s1', {
    title: `login as ${secret}`,
    command: { kind: 'docker', action: 'exec', target: { container: 'web' }, argv: ['sh', '-c', `echo ${shellQuote(secret)} | base64; curl https://x/?p=${encodeURIComponent(secret)}`], env: { PW: secret } },
    expect: { outputNotContains: secret },
  });

  it('stores no form of the secret and gives back exactly the step', () => {
    const run = newSealedRun([secret, 'unused-value']);
    const sealed = seal(s, run);
    expect(leaks(JSON.stringify(sealed), secret)).toBe(false);
    expect(isSealed(sealed, run.nonce)).toBe(true);
    expect(unseal(sealed, run)).toEqual(s);
    expect(new Redactor().redact(JSON.stringify(sealed))).not.toMatch(/REDACTED#/);
  });

  it('never resolves a placeholder of another run, so a typed value cannot pull a secret in', () => {
    const run = newSealedRun([secret]);
    const other = newSealedRun([secret]);
    const forged = step('s2', { command: { kind: 'ssh', host: 'h', command: `echo [REDACTED#${other.nonce}.0.raw]` } });
    expect(unseal(forged, run)).toEqual(forged);
  });

  it('keeps the values encrypted, readable with the same key only', () => {
    const run = newSealedRun([secret]);
    const box = new SecretVault('a key of at least sixteen');
    const text = box.encrypt(run)!;
    expect(leaks(text, secret)).toBe(false);
    expect(box.decrypt(text)).toEqual(run);
    expect(new SecretVault('another key of sixteen').decrypt(text)).toBeNull();
    expect(new SecretVault(undefined).encrypt(run)).toBeNull();
    expect(box.decrypt(`${text.slice(0, -4)}AAAA`)).toBeNull();
  });
});
