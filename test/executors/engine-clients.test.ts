/** Engines an inventory names but opsroom cannot use: each step on them says why, and nothing else breaks. */
import { describe, expect, it } from 'vitest';
import { parseInventory } from '#core/inventory/loader.js';
import { runnerFromInventory } from '#executors/index.js';

const opts = () => ({ timeoutMs: 5_000, signal: new AbortController().signal, onOutput: () => {} });

describe('engine clients from the inventory', () => {
  const inv = parseInventory('i.yml', [
    'systems:',
    '  blatam:',
    '    engines: { tls: { tcp: "docker.invalid:2376", ca: /nonexistent/ca.pem, cert: /nonexistent/cert.pem, key: /nonexistent/key.pem } }',
    '    projects: { blatam: {} }',
  ].join('\n')).inventory!;

  it('a TLS engine whose files cannot be read fails its steps with the reason', async () => {
    const runner = runnerFromInventory(inv);
    const out = await runner.run({ kind: 'docker', action: 'ps', target: { composeProject: 'blatam', engine: 'blatam/tls' } }, opts());
    expect(out.error).toMatch(/^Docker engine "blatam\/tls": cannot read its TLS files: ENOENT.*\/nonexistent\/ca\.pem/);
    await runner.close();
  });

  it('a target on an engine the inventory does not have is refused before it runs', async () => {
    const runner = runnerFromInventory(inv);
    const out = await runner.run({ kind: 'docker', action: 'ps', target: { composeProject: 'blatam', engine: 'blatam/other' } }, opts());
    expect(out.error).toBe('Refused: Docker engine "blatam/other" is not in the inventory');
    const none = await runner.run({ kind: 'docker', action: 'ps', target: { composeProject: 'blatam' } }, opts());
    expect(none.error).toMatch(/^Refused: this Docker step names no engine/);
    await runner.close();
  });

  it('an HTTP step via a host the inventory lacks is refused', async () => {
    const runner = runnerFromInventory(inv);
    const out = await runner.run({ kind: 'http', method: 'GET', url: 'http://localhost:1/', via: 'ghost' }, opts());
    expect(out.error).toBe('Refused: via host "ghost" is not in the inventory');
    await runner.close();
  });
});
