import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'opsroom-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `opsroom` command (bin/opsroom.js spawns tsx on src/cli.ts) in `cwd`. */
function opsroom(args: string[], cwd = dir) {
  const env = { ...process.env, OPSROOM_INVENTORY: '', OPSROOM_RUNBOOKS: '', OPSROOM_CONFIG: '' };
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'opsroom.js'), ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const write = (rel: string, text: string) => {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};

describe('opsroom lint', () => {
  it('exits 0 with a one-line summary when every runbook is valid', () => {
    write('ok/runbooks/shop/a.yml', 'title: A\nsteps: [{ id: a, title: A, manual: x }]\n');
    write('ok/runbooks/shop/b.yaml', 'id: shop/b\ntitle: B\nsteps: [{ id: a, title: A, wait: 1s }]\n');
    const r = opsroom(['lint'], join(dir, 'ok'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('2 runbooks OK (runbooks, hosts not checked: no inventory)\n');
    expect(r.code).toBe(0);
  });

  it('exits 1 and prints every error as file:line:column', () => {
    write('bad/runbooks/x/one.yml', 'title: A\nsteps:\n  - { id: a, title: A, manual: x, colour: red }\n');
    write('bad/runbooks/x/two.yml', 'id: x/three\ntitle: B\nsteps: [{ id: a, title: A, ssh: { host: h, command: "echo {{ nope }}" } }]\n');
    write('bad/runbooks/x/three.yml', 'title: [\n');
    const r = opsroom(['lint', 'runbooks'], join(dir, 'bad'));
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('runbooks/x/one.yml:3:35 steps.0: unknown key "colour"');
    expect(lines).toContain('runbooks/x/two.yml:1:5 id "x/three" must equal the file\'s path "x/two" (or be left out)');
    expect(lines).toContain('runbooks/x/two.yml:3:59 {{ nope }} is not a declared parameter');
    expect(lines.filter((l) => l.startsWith('runbooks/x/three.yml:')).length).toBeGreaterThan(0);
    expect(lines.every((l) => /^runbooks\/x\/\w+\.yml:\d+:\d+ /.test(l))).toBe(true);
    expect(r.stderr).toBe(`${lines.length} errors in 3 files (runbooks)\n`);
  });

  it('checks ssh hosts against the inventory, and the inventory itself', () => {
    write('inv/runbooks/r.yml', 'title: R\nssh: { host: db }\nsteps: [{ id: a, title: A, ssh: { command: uptime } }]\n');
    write('inv/inventory.yml', 'hosts: {}\nsecrets: [API_KEY]\n');
    const r = opsroom(['lint'], join(dir, 'inv'));
    expect(r.stdout).toBe('runbooks/r.yml:2:14 unknown host "db" (inventory has: no hosts)\n');
    expect(r.code).toBe(1);

    write('inv/inventory.yml', 'hosts:\n  web: { address: 1.2.3.4, user: u, key_path: k, host_key: "ssh-ed25519 nope" }\n');
    const bad = opsroom(['lint'], join(dir, 'inv'));
    expect(bad.stdout).toMatch(/^inventory\.yml:2:60 hosts\.web\.host_key: host_key must be/m);
    expect(bad.code).toBe(1);
  });

  it('reads severities and per-system severity names from opsroom.yml', () => {
    write('sev/runbooks/ai-multimodel/rollback.yml', 'title: R\nseverity: P0\nsteps: [{ id: a, title: A, manual: x }]\n');
    write('sev/runbooks/denis/redis.yml', 'title: R\nseverity: P0\nsteps: [{ id: a, title: A, manual: x }]\n');
    write('sev/opsroom.yml', 'severityAliases:\n  ai-multimodel: { P0: P1 }\n');
    const r = opsroom(['lint'], join(dir, 'sev'));
    expect(r.stdout).toBe('runbooks/denis/redis.yml:2:11 unknown severity "P0" (known: P1, P2, P3, P4)\n');
    expect(r.code).toBe(1);
    write('sev/other.yml', 'severities:\n  - { id: P0, responseMinutes: 5, updateIntervalMinutes: 15 }\n  - { id: P1, responseMinutes: 15, updateIntervalMinutes: 30 }\n');
    const withConfig = opsroom(['lint', '--config', 'other.yml'], join(dir, 'sev'));
    expect(withConfig.stdout).toBe('2 runbooks OK (runbooks, hosts not checked: no inventory)\n');
    expect(withConfig.code).toBe(0);
  });

  it('takes single files and several paths, and --inventory', () => {
    const inv = write('paths/inv.yml', 'hosts: {}\n');
    const a = write('paths/runbooks/a.yml', 'title: A\nsteps: [{ id: a, title: A, manual: x }]\n');
    const b = write('paths/more/b.yml', 'title: B\nsteps: [{ id: a, title: A, manual: x }]\n');
    const r = opsroom(['lint', a, b, '--inventory', inv]);
    expect(r.stdout).toBe(`2 runbooks OK (${a}, ${b})\n`);
    expect(r.code).toBe(0);
  });

  it('lints the example runbooks in this repository', () => {
    const r = opsroom(['lint', 'runbooks/examples'], ROOT);
    expect(r.stdout).toMatch(/^\d+ runbooks OK \(runbooks\/examples/);
    expect(r.code).toBe(0);
  });
});

describe('opsroom', () => {
  it('prints usage and exits 2 on an unknown command or none', () => {
    for (const args of [['frobnicate'], []]) {
      const r = opsroom(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/usage: opsroom <command>/);
      expect(r.stderr).toMatch(/^\s+lint\s+check runbooks/m);
    }
    expect(opsroom(['frobnicate']).stderr).toMatch(/unknown command "frobnicate"/);
    expect(opsroom(['../cli']).code).toBe(2);
  });

  it('prints the runbook JSON Schema, which matches the committed file', () => {
    const r = opsroom(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'schema', 'runbook.schema.json'), 'utf8'));
    expect(opsroom(['schema', 'inventory']).code).toBe(0);
    expect(opsroom(['schema', 'nope']).code).toBe(2);
  });
});
