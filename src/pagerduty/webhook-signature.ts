import { createHmac, timingSafeEqual } from 'node:crypto';

/** `v1=<hex HMAC-SHA256 of the raw body>` for one secret, as PagerDuty signs Webhooks v3. */
export const signatureFor = (rawBody: Buffer | string, secret: string) =>
  `v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;

/** The X-PagerDuty-Signature value for a body signed with every given secret (rotation). */
export const signatureHeader = (rawBody: Buffer | string, secrets: readonly string[]) =>
  secrets.map((s) => signatureFor(rawBody, s)).join(',');

/**
 * True when any `v1=` signature in the header matches the body under any of the secrets.
 * Comparison is constant-time over equal-length digests; a missing header or no secrets is false.
 */
export function verifyWebhookSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header || secrets.length === 0) return false;
  const given = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3))
    .filter((hex) => /^[0-9a-f]{64}$/i.test(hex))
    .map((hex) => Buffer.from(hex, 'hex'));
  if (given.length === 0) return false;
  let ok = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    for (const sig of given) {
      // Every pair is compared (no early exit) so timing says nothing about which one matched.
      if (sig.length === expected.length && timingSafeEqual(sig, expected)) ok = true;
    }
  }
  return ok;
}
