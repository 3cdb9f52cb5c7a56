import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory } from '#core/inventory/loader.js';
import { parseHostKey } from '#core/inventory/schema.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-inv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real public key line from ssh-keygen. */
let keys = 0;
function keygen(type: 'ed25519' | 'rsa' | 'ecdsa'): string {
  const file = join(dir, `key-${type}-${++keys}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'test@host', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

describe('host keys', () => {
  it('accepts real keys of each type, with or without the comment or a keyscan host prefix', () => {
    for (const type of ['ed25519', 'rsa', 'ecdsa'] as const) {
      const line = keygen(type);
      const [alg, b64] = line.split(' ');
      expect(parseHostKey(line)).toEqual({ type: alg, base64: b64, line: `${alg} ${b64}` });
      expect(parseHostKey(`[127.0.0.1]:2222 ${alg} ${b64}`)?.line).toBe(`${alg} ${b64}`);
    }
  });

  it('refuses placeholders, truncated keys and keys labelled with the wrong type', () => {
    const [, ed] = keygen('ed25519').split(' ');
    expect(parseHostKey('ssh-ed25519 AAAA...REPLACE_ME')).toBeUndefined();
    expect(parseHostKey(`ssh-ed25519 ${ed.slice(0, 10)}`)).toBeUndefined();
    expect(parseHostKey(`ssh-rsa ${ed}`)).toBeUndefined();
    expect(parseHostKey(ed)).toBeUndefined();
    expect(parseHostKey('')).toBeUndefined();
  });
});

describe('inventory files', () => {
  it('loads hosts with defaults, the docker endpoint and secret names', async () => {
    const key = keygen('ed25519');
    const file = join(dir, 'inventory.yml');
    writeFileSync(
      file,
      [
        'hosts:',
        '  bastion:',
        '    address: 10.0.0.5',
        '    user: ops',
        '    key_path: ~/.ssh/opsroom',
        `    host_key: ${key}`,
        'docker:',
        '  socket_path: /run/docker.sock',
        '  projects: { minimarket: { services: [dashboard] } }',
        'secrets: [DATABASE_ENCRYPTION_KEY]',
      ].join('\n'),
    );
    const r = await loadInventory(file);
    expect(r.errors).toEqual([]);
    expect(r.inventory!.hosts.bastion).toEqual({
      address: '10.0.0.5',
      port: 22,
      user: 'ops',
      key_path: '~/.ssh/opsroom',
      host_key: key.split(' ').slice(0, 2).join(' '),
    });
    expect(r.inventory!.secrets).toEqual(['DATABASE_ENCRYPTION_KEY']);
  });

  it('reports every problem with file:line:column', () => {
    const text = [
      'hosts:', //                                     1
      '  bastion:', //                                 2
      '    address: 10.0.0.5', //                      3
      '    port: 99999', //                            4
      '    user: ops', //                              5
      '    key_path: k', //                            6
      '    host_key: ssh-ed25519 AAAA...REPLACE', //   7
      '  web:', //                                     8
      '    address: 10.0.0.6', //                      9
      '    password: hunter2', //                      10
      'docker: { socket_path: /s, host: h }', //       11
      'secrets: [not-an-env-name]', //                 12
    ].join('\n');
    const errors = parseInventory('inv.yml', text).errors.map(formatSourceError);
    expect(errors).toEqual([
      'inv.yml:4:11 hosts.bastion.port: Too big: expected number to be <=65535',
      expect.stringMatching(/^inv\.yml:7:15 hosts\.bastion\.host_key: host_key must be the host's public key line/),
      'inv.yml:9:5 hosts.web.user: required, but missing',
      'inv.yml:9:5 hosts.web.key_path: required, but missing',
      'inv.yml:9:5 hosts.web.host_key: required, but missing',
      'inv.yml:10:5 hosts.web: unknown key "password"',
      'inv.yml:11:9 docker: give socket_path or host, not both',
      'inv.yml:12:11 secrets.0: secrets are environment variable names',
    ]);
  });

  it('reports an unreadable file', async () => {
    const r = await loadInventory(join(dir, 'missing.yml'));
    expect(r.errors[0].message).toMatch(/^cannot read inventory: ENOENT/);
  });
});
