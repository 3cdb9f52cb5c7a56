/**
 * A throwaway login whose shell is `sh` with no start-up files, so SSH benchmarks measure SSH and
 * not someone's `.bashrc` (root's adds 250–500 ms to every command on these machines). Root only:
 * elsewhere the current user is used and the result says so. The password field is `*` (no password, not locked: sshd
 * without PAM refuses a locked account even for a key).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PlainUser { name: string | undefined; remove(): void }

export function plainUser(): PlainUser {
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v useradd']).status !== 0) return { name: undefined, remove: () => {} };
  const name = `opsbench${process.pid}`;
  const home = mkdtempSync(join(tmpdir(), 'opsroom-bench-home-'));
  const r = spawnSync('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/sh', '--no-user-group', '--gid', '0', '--password', '*', name]);
  if (r.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    return { name: undefined, remove: () => {} };
  }
  spawnSync('chown', [name, home]);
  return {
    name,
    remove() {
      spawnSync('userdel', [name]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
