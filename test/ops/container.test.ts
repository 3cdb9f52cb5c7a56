import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('scripts/check-container.sh', () => {
  it('parses the compose file and runs the Dockerfile\'s steps: lint passes, the CMD starts, HEALTHCHECK passes, SIGTERM exits 0', () => {
    // Fast mode links node_modules instead of `npm ci` (CI runs the full script).
    const r = spawnSync('bash', ['scripts/check-container.sh'], { encoding: 'utf8', env: { ...process.env, CHECK_CONTAINER_FAST: '1' }, timeout: 170_000 });
    expect(r.stderr).not.toMatch(/FAILED/);
    expect(r.stdout).toContain('docker-compose.yml:');
    expect(r.stdout).toMatch(/runbooks OK/);
    expect(r.stdout).toContain('HEALTHCHECK passed');
    expect(r.stdout).toContain('SIGTERM: exited 0');
    expect(r.status).toBe(0);
  }, 180_000);
});
