import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'opsroom-lint-systems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real `opsroom` command, in `cwd`. */
function opsroom(args: string[], cwd: string) {
  const env = { ...process.env, OPSROOM_INVENTORY: '', OPSROOM_RUNBOOKS: '', OPSROOM_CONFIG: '' };
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'opsroom.js'), ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const write = (rel: string, text: string) => {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
};
const RUNBOOK = 'title: R\nsteps: [{ id: a, title: A, manual: x }]\n';

describe('opsroom lint: one notion of system', () => {
  it('reports a system named in one place and missing in another, with file:line:column', () => {
    write('a/runbooks/blatam/down.yml', RUNBOOK);
    write('a/runbooks/bff/slow.yml', RUNBOOK);
    write('a/runbooks/bff/api.yml', RUNBOOK);
    write('a/runbooks/examples/demo.yml', RUNBOOK);
    write('a/opsroom.yml', 'channels: {}\nsystems:\n  blatam: {}\n  checkout:\n    channel: C0CHECKOUT\n');
    write('a/inventory.yml', 'systems:\n  blatam: {}\n  bff: {}\n  examples: {}\n');
    const r = opsroom(['lint'], join(dir, 'a'));
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('opsroom.yml:4:3 system "checkout" (opsroom.yml systems:) has no runbook folder runbooks/checkout/ and is not in the inventory\'s systems: (inventory.yml)');
    expect(lines).toContain('runbooks/bff/api.yml:1:1 system "bff" (runbook folder) is not in opsroom.yml systems:');
    expect(lines).toContain('inventory.yml:3:3 system "bff" (the inventory\'s systems:) is not in opsroom.yml systems:');
    // examples/ is not a system, in the runbooks or in the inventory.
    expect(r.stdout).not.toContain('examples');
    expect(r.stdout).not.toMatch(/"blatam"/);
    expect(lines).toHaveLength(3);
    expect(r.code).toBe(1);
  });

  it('says when names differ only in case', () => {
    write('c/runbooks/Blatam/down.yml', RUNBOOK);
    write('c/opsroom.yml', 'systems:\n  blatam: {}\n');
    const r = opsroom(['lint'], join(dir, 'c'));
    expect(r.stdout).toContain('runbooks/Blatam/down.yml:1:1 system "Blatam" (runbook folder) is not in opsroom.yml systems: (names differ only in case: "blatam" in');
    expect(r.code).toBe(1);
  });

  it('passes when every place names the same systems, and checks only the places that name systems', () => {
    write('b/runbooks/blatam/down.yml', RUNBOOK);
    write('b/runbooks/bff/slow.yml', RUNBOOK);
    write('b/opsroom.yml', 'systems:\n  blatam: {}\n  bff: {}\n');
    write('b/inventory.yml', 'systems:\n  bff: {}\n  blatam: {}\n');
    const ok = opsroom(['lint'], join(dir, 'b'));
    expect(ok.stdout).toBe('2 runbooks OK (runbooks)\n');
    expect(ok.code).toBe(0);
    // The deprecated severityAliases names no systems; one system's folder is not a runbooks root.
    write('d/runbooks/blatam/down.yml', RUNBOOK);
    write('d/opsroom.yml', 'severityAliases:\n  denis: { P1: P1 }\n');
    expect(opsroom(['lint'], join(dir, 'd')).code).toBe(0);
    write('d/opsroom.yml', 'systems:\n  bff: {}\n');
    expect(opsroom(['lint', 'runbooks/blatam'], join(dir, 'd')).stdout).toBe('1 runbook OK (runbooks/blatam, hosts not checked: no inventory)\n');
  });
});
