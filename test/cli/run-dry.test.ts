/** `opsroom run --dry-run` shows where every step lands: engine, project or container, host, URL and tunnel. */
import { describe, expect, it } from 'vitest';
import { runCommand } from '#cli/run.js';
import { CONFIG, RUNBOOKS } from '../runbooks/seeds-fixtures.js';

const dry = async (id: string, ...more: string[]) => {
  let out = '';
  let err = '';
  const code = await runCommand([id, '--dry-run', '--runbooks', RUNBOOKS, '--inventory', 'examples/inventory.yml', '--config', CONFIG, ...more], {
    out: (t) => { out += t; }, err: (t) => { err += t; }, env: {},
  });
  return { code, out, err };
};

describe('run --dry-run against the example inventory', () => {
  it('prints the resolved engine, real project, container, host and URL of each step', async () => {
    const r = await dry('minimarket/dashboard-down', '--step', 'ps', '--step', 'stats', '--step', 'disk', '--step', 'health');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('target:  docker:minimarket/main:inventario-retail/*');
    expect(r.out).toContain('engine:  minimarket/main (ssh://minimarket-host/var/run/docker.sock, through minimarket-host (ops@minimarket.example.internal:22))');
    expect(r.out).toContain('project: inventario-retail');
    expect(r.out).toContain('container: dashboard');
    expect(r.out).toContain('host:    minimarket-host (ops@minimarket.example.internal:22)');
    expect(r.out).toContain('url:     http://localhost:8080/health');
    expect(r.out).toContain('via:     minimarket-host (ops@minimarket.example.internal:22) (SSH tunnel');
  });

  it('the observability stack resolves to its own compose project', async () => {
    const r = await dry('minimarket/observability-down', '--step', 'ps-prometheus');
    expect(r.err).toBe('');
    expect(r.out).toContain('project: inventario-retail-observability, service: prometheus');
  });
});
