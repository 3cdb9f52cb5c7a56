import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { demux, grepMatcher } from '#executors/docker/logs.js';
import { cpuPercent, formatBytes, memoryUsage } from '#executors/docker/stats.js';
import { algorithmsFor, blobType, fingerprint, parseHostKey } from '#executors/ssh/host-key.js';
import { PidLine, shellQuote, wrapWithTimeout } from '#executors/ssh/remote-command.js';

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};
const blob = (type: string, body = 'key-bytes') => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};

describe('docker logs helpers', () => {
  it('demux drops the 8-byte frame headers of both streams, in order', () => {
    expect(demux(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err\n'), frame(1, 'out 2\n')]))).toBe('out 1\nerr\nout 2\n');
  });
  it('grep reads JavaScript regular expressions', () => {
    const m = grepMatcher('error|fatal', true);
    expect(['ERROR x', 'Fatal y', 'error|fatal', 'fine'].map(m)).toEqual([true, true, true, false]);
    expect(grepMatcher('a\\|b', false)('a|b')).toBe(true);
    expect(grepMatcher('a\\|b', false)('a')).toBe(false);
    expect(grepMatcher('\\(x\\)', false)('(x)')).toBe(true);
    expect(grepMatcher('(x)y', false)('xy')).toBe(true);
    expect(grepMatcher('^ready$', false)('ready')).toBe(true);
    expect(grepMatcher('Error', false)('error')).toBe(false);
    expect(grepMatcher('[', false)('a [ b')).toBe(true); // not a valid regex: literal
  });
});

describe('docker stats helpers', () => {
  it('computes CPU % as the docker CLI does', () => {
    const s = {
      cpu_stats: { cpu_usage: { total_usage: 2_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000 },
    };
    expect(cpuPercent(s)).toBeCloseTo(20);
    expect(cpuPercent({})).toBe(0);
  });
  it('subtracts inactive file cache from memory usage (cgroup v1 and v2)', () => {
    expect(memoryUsage({ memory_stats: { usage: 1000, stats: { total_inactive_file: 300 } } })).toBe(700);
    expect(memoryUsage({ memory_stats: { usage: 1000, stats: { inactive_file: 100 } } })).toBe(900);
  });
  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(476 * 1024)).toBe('476KiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5GiB');
  });
});

describe('ssh host keys', () => {
  const ed = blob('ssh-ed25519');
  it('parses ssh-keyscan and known_hosts lines, checking the blob names the same type', () => {
    const line = `[127.0.0.1]:2222 ssh-ed25519 ${ed.toString('base64')}`;
    expect(parseHostKey(line)).toEqual({ type: 'ssh-ed25519', blob: ed });
    expect(parseHostKey(`ssh-ed25519 ${ed.toString('base64')} comment`)?.type).toBe('ssh-ed25519');
    expect(parseHostKey(`host ssh-rsa ${ed.toString('base64')}`)).toBeNull();
    expect(parseHostKey('')).toBeNull();
    expect(parseHostKey('host ssh-ed25519')).toBeNull();
    expect(blobType(ed)).toBe('ssh-ed25519');
  });
  it('fingerprints as ssh-keygen -l does', () => {
    expect(fingerprint(ed)).toBe(`SHA256:${createHash('sha256').update(ed).digest('base64').replace(/=+$/, '')}`);
  });
  it('offers the RSA signature algorithms for ssh-rsa keys', () => {
    expect(algorithmsFor('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algorithmsFor('ssh-ed25519')).toEqual(['ssh-ed25519']);
  });
});

describe('remote command', () => {
  it('quotes for a POSIX shell', () => {
    expect(shellQuote(`it's $HOME`)).toBe(`'it'\\''s $HOME'`);
  });
  it('wraps with a killing timeout one second past the step timeout', () => {
    expect(wrapWithTimeout('uptime', 2500)).toContain('timeout -s KILL 4 sh -c');
    expect(wrapWithTimeout('uptime', undefined)).not.toContain('timeout -s KILL');
  });
  it('splits the PID line off stderr, even across chunks', () => {
    const p = new PidLine();
    expect(p.feed('opsroom-p')).toBe('');
    expect(p.feed('id:4242\nreal err')).toBe('real err');
    expect(p.pid).toBe(4242);
    expect(p.feed('\nmore')).toBe('\nmore');
    const q = new PidLine();
    expect(q.feed('no marker\n')).toBe('no marker\n');
    expect(q.pid).toBeUndefined();
  });
});
