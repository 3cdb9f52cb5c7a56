import { describe, expect, it } from 'vitest';
import { Redactor, REDACTED } from '#core/runs/redact.js';

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

/** [text, the secret that must disappear, text that must survive] */
const CORPUS: Array<[string, string, string]> = [
  ['key id AKIAIOSFODNN7EXAMPLE in use\n', 'AKIAIOSFODNN7EXAMPLE', 'key id '],
  ['session ASIAY34FZKBOKMUTVV7A ok\n', 'ASIAY34FZKBOKMUTVV7A', ' ok'],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = '],
  ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY='],
  ['> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl\n', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'Authorization: Bearer '],
  ['Authorization: Basic dXNlcjpzM2NyZXRwYXNz\n', 'dXNlcjpzM2NyZXRwYXNz', 'Authorization: Basic '],
  ['DB_PASSWORD=s3cr3t-Pa55 starting\n', 's3cr3t-Pa55', 'starting'],
  ['password: "correct horse battery"\n', 'correct horse battery', 'password: '],
  ['{"password":"Tr0ub4dor&3","user":"app"}\n', 'Tr0ub4dor&3', '"user":"app"'],
  ['root passwd:Zx81SinclairQL\n', 'Zx81SinclairQL', 'root passwd:'],
  ['PGPASSWORD=pg-Secret-99 psql -h db -c "select 1"\n', 'pg-Secret-99', 'psql -h db'],
  ['curl https://api.example.com/?token=abc123def456ghi&x=1\n', 'abc123def456ghi', '&x=1'],
  ['GITLAB_API_KEY=glpat-1234567890abcdefghij\n', 'glpat-1234567890abcdefghij', 'GITLAB_API_KEY='],
  [`loaded key\n${PEM}\ndone\n`, 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'done'],
  [`-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\nafter\n`, 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 'after'],
  ['SLACK_BOT=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'SLACK_BOT='],
  ['user token xoxp-1111-2222-3333-abcdef\n', 'xoxp-1111-2222-3333-abcdef', 'user token '],
  ['remote: ghp_16C7e42F292c6912E7710c838347Ae178B4a rejected\n', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'rejected'],
  ['DATABASE_URL=postgres://app:Sup3rS3cret@db:5432/app\n', 'Sup3rS3cret', '@db:5432/app'],
];

const SECRETS = ['my-configured-secret-value', 'line-one-of-a-secret\nline-two-of-a-secret'];

describe('redaction (whole text)', () => {
  const r = new Redactor({ secrets: SECRETS });

  it.each(CORPUS)('%j', (text, secret, keep) => {
    const out = r.redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out).toContain(keep);
  });

  it('hides configured secret values wherever they appear', () => {
    const out = r.redact('connecting with my-configured-secret-value (my-configured-secret-value)\n');
    expect(out).toBe(`connecting with ${REDACTED} (${REDACTED})\n`);
  });

  it('hides each line of a multi-line secret', () => {
    const out = r.redact('a line-one-of-a-secret b\nline-two-of-a-secret c\n');
    expect(out).not.toMatch(/line-(one|two)-of-a-secret/);
  });

  it('leaves ordinary output alone', () => {
    const text = 'PONG\nCONTAINER ID   IMAGE   STATUS\n3f2a  redis:7  Up 2 hours\nGET /health 200 OK\n';
    expect(r.redact(text)).toBe(text);
  });

  it('ignores secrets too short to be told from ordinary text', () => {
    expect(new Redactor({ secrets: ['ok', ''] }).redact('ok ok\n')).toBe('ok ok\n');
  });

  it('strict mode hides every env-style value (cat .env)', () => {
    const out = new Redactor({ strict: true }).redact('APP_ENV=production\nREDIS_URL=redis://cache:6379\n# comment\n');
    expect(out).toBe(`APP_ENV=${REDACTED}\nREDIS_URL=${REDACTED}\n# comment\n`);
  });

  it('hides a private key block cut short', () => {
    const out = r.redact('x\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n');
    expect(out).toBe(`x\n${REDACTED}`);
  });
});

describe('redaction (streamed chunks)', () => {
  const r = new Redactor({ secrets: SECRETS });
  const streamed = (chunks: string[]): string => {
    const s = r.stream();
    return chunks.map((c) => s.push(c)).join('') + s.end();
  };

  it.each(CORPUS)('%j split at every position', (text, secret, keep) => {
    for (let cut = 1; cut < text.length; cut++) {
      const out = streamed([text.slice(0, cut), text.slice(cut)]);
      expect(out).not.toContain(secret);
      expect(out).toContain(keep);
      expect(out).toBe(r.redact(text));
    }
  });

  it.each(CORPUS)('%j one character at a time', (text, secret) => {
    const out = streamed([...text]);
    expect(out).not.toContain(secret);
    expect(out).toBe(r.redact(text));
  });

  it('a configured secret split over three chunks', () => {
    expect(streamed(['pw my-confi', 'gured-secr', 'et-value end'])).toBe(`pw ${REDACTED} end`);
  });

  it('releases complete lines at once, holding only the unfinished one', () => {
    const s = r.stream();
    expect(s.push('first line\nsecond ')).toBe('first line\n');
    expect(s.push('half\n')).toBe('second half\n');
  });

  it('holds a private key block until its end line', () => {
    const s = r.stream();
    expect(s.push('before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHC\n')).toBe('before\n');
    expect(s.push('ozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----')).toBe('');
    expect(s.push('\nafter\n')).toBe(`${REDACTED}\nafter\n`);
  });

  it('a long line without newlines is released in parts, never cutting a secret', () => {
    const s = r.stream();
    const filler = 'x'.repeat(20_000);
    let out = s.push(`${filler} AKIAIOSFODNN7EXAMPLE `);
    expect(out.length).toBeGreaterThan(0);
    out += s.push(`${'y'.repeat(3000)}my-configured-`);
    out += s.push(`secret-value${'z'.repeat(20_000)}`);
    out += s.end();
    expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out).not.toContain('my-configured-secret-value');
    expect(out).toBe(`${filler} ${REDACTED} ${'y'.repeat(3000)}${REDACTED}${'z'.repeat(20_000)}`);
  });

  it('an endless private key block is hidden until its footer', () => {
    const s = new Redactor().stream();
    let out = s.push('-----BEGIN PRIVATE KEY-----\n');
    for (let i = 0; i < 2000; i++) out += s.push(`${'A'.repeat(63)}\n`);
    out += s.push('-----END PRIVATE KEY-----\nvisible\n');
    out += s.end();
    expect(out).not.toContain('AAAA');
    expect(out).toContain('visible');
  });
});

describe('Kubernetes secrets printed as YAML', () => {
  const pem = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n').toString('base64');
  const yaml = `apiVersion: v1\ndata:\n  tls.crt: ${Buffer.from('certificate body here').toString('base64')}\n  tls.key: ${pem}\nkind: Secret\nmetadata:\n  name: ai-multimodel-tls\ntype: kubernetes.io/tls\n`;

  it('hides a base64 private key in any step', () => {
    const out = new Redactor().redact(yaml);
    expect(out).not.toContain(pem);
    expect(out).toContain('name: ai-multimodel-tls');
  });

  it('hides every base64 data value in steps marked redact, keeping the keys', () => {
    const out = new Redactor({ strict: true }).redact(yaml);
    expect(out).toContain(`tls.crt: ${REDACTED}`);
    expect(out).toContain(`tls.key: ${REDACTED}`);
    expect(out).toContain('kind: Secret');
    expect(out).toContain('type: kubernetes.io/tls');
  });
});
