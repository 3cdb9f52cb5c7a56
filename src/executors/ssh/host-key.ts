/** Pinned host keys: an inventory line (`[host]:port ssh-ed25519 AAAA…` or `ssh-ed25519 AAAA…`) vs the key a server presents. */
import { createHash } from 'node:crypto';

export interface PinnedKey {
  type: string;
  blob: Buffer;
}

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+)$/;

/** Reads the key type and blob from a known_hosts / ssh-keyscan line; null when there is none. */
export function parseHostKey(line: string): PinnedKey | null {
  const words = line.trim().split(/\s+/);
  const i = words.findIndex((w) => KEY_TYPE.test(w));
  if (i < 0 || !words[i + 1]) return null;
  const blob = Buffer.from(words[i + 1], 'base64');
  return blobType(blob) === words[i] ? { type: words[i], blob } : null;
}

/** The key type written inside an SSH public key blob (a uint32 length, then the name). */
export function blobType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : null;
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Host key algorithms to offer so the server presents the pinned type. */
export function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}
