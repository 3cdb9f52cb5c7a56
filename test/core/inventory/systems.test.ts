/**
 * Systems in the inventory: logical names in runbooks, real ones from the inventory, per system;
 * the old single-engine shape still loads (with a note), and mixing both is refused with how to convert.
 */
import { describe, expect, it } from 'vitest';
import { parseInventory } from '#core/inventory/loader.js';
import type { Inventory } from '#core/inventory/schema.js';
import { parseRunbook } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { targetKey } from '#core/runs/expect.js';
import { describeCommand } from '#core/runs/step-runner.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const host = (name: string, address: string) => [`      ${name}:`, `        address: ${address}`, '        user: ops', '        key_path: /k', `        host_key: ${KEY}`];

const PROD = [
  'systems:',
  '  minimarket:',
  '    hosts:', ...host('minimarket-host', 'mm.internal'),
  '    engines:',
  '      main: { ssh: minimarket-host }',
  '    projects:',
  '      minimarket: { project: inventario-retail, services: [dashboard, postgres] }',
  '    containers: { dashboard: inventario-retail-dashboard-1 }',
  '    http:',
  '      dashboard: { url: "http://localhost:8080", via: minimarket-host }',
  '  blatam:',
  '    hosts:', ...host('blatam-host', 'bl.internal'),
  '    engines:',
  '      a: { socket: /var/run/docker.sock }',
  '      b: { tcp: "docker.bl.internal:2376", ca: /ca.pem, cert: /cert.pem, key: /key.pem }',
  '    engine: b',
  '    projects: { blatam: {} }',
  '    http: { api: "http://127.0.0.1:8000" }',
  'secrets: []',
].join('\n');

const inventory = (text: string): Inventory => {
  const r = parseInventory('inv.yml', text);
  expect(r.errors.map(formatSourceError)).toEqual([]);
  return r.inventory!;
};
const errors = (text: string) => parseInventory('inv.yml', text).errors.map(formatSourceError);

const RUNBOOK = [
  'title: T',
  'docker: { project: minimarket }',
  'params: { q: { type: string, default: "a b" } }',
  'steps:',
  '  - { id: ps, title: P, docker: { service: dashboard, ps: true } }',
  '  - { id: c, title: C, docker: { container: dashboard, stats: true } }',
  '  - { id: h, title: H, http: { base: dashboard, path: "/health?q={{ q }}" } }',
  '  - { id: post, title: B, danger: false, http: { method: POST, base: dashboard, path: /x, body: \'{"a": 1}\', headers: { Authorization: Bearer abc } } }',
  '  - { id: s, title: S, ssh: { host: minimarket-host, command: uptime } }',
].join('\n');

const runbook = (text: string, id: string, inv?: Inventory) => {
  const r = parseRunbook(`${id}.yml`, text, id, { inventory: inv });
  return r;
};

describe('inventory systems', () => {
  it('maps logical projects, containers and HTTP bases to the real ones, per system and engine', () => {
    const inv = inventory(PROD);
    expect(Object.keys(inv.hosts).sort()).toEqual(['blatam-host', 'minimarket-host']);
    const rb = runbook(RUNBOOK, 'minimarket/x', inv);
    expect(rb.errors).toEqual([]);
    const { steps } = renderRunbook(rb.runbook!, {}, {}, inv);
    const [ps, c, h, post, s] = steps.map((x) => x.command);
    expect(ps).toMatchObject({ kind: 'docker', target: { composeProject: 'inventario-retail', composeService: 'dashboard', engine: 'minimarket/main' } });
    expect(c).toMatchObject({ target: { container: 'inventario-retail-dashboard-1', engine: 'minimarket/main' } });
    expect(h).toEqual({ kind: 'http', method: 'GET', url: 'http://localhost:8080/health?q=a%20b', via: 'minimarket-host' });
    expect(post).toMatchObject({ via: 'minimarket-host', headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' } });
    expect(s).toEqual({ kind: 'ssh', host: 'minimarket-host', command: 'uptime' });
    // Locks are per engine and target: the same project on another engine is another key.
    expect(targetKey(ps)).toBe('docker:minimarket/main:inventario-retail/dashboard');
    expect(targetKey(h)).toBe('http:minimarket-host>localhost:8080');
    // What the confirmation shows: the body, the content type, no credentials.
    expect(describeCommand(post)).toBe('POST http://localhost:8080/x (via minimarket-host)\nAuthorization: [REDACTED]\nContent-Type: application/json\n\n{"a": 1}');
  });

  it('the same runbook against another inventory lands elsewhere (demo vs production)', () => {
    const demo = inventory([
      'systems:',
      '  minimarket:',
      '    hosts:', ...host('minimarket-host', '127.0.0.1'),
      '    engines: { demo: { socket: /tmp/demo.sock } }',
      '    projects: { minimarket: {} }',
      '    containers: [dashboard]',
      '    http: { dashboard: "http://127.0.0.1:8080" }',
    ].join('\n'));
    const rb = runbook(RUNBOOK, 'minimarket/x', demo).runbook!;
    const [ps, c, h] = renderRunbook(rb, {}, {}, demo).steps.map((x) => x.command);
    expect(ps).toMatchObject({ target: { composeProject: 'minimarket', engine: 'minimarket/demo' } });
    expect(c).toMatchObject({ target: { container: 'dashboard', engine: 'minimarket/demo' } });
    expect(h).toEqual({ kind: 'http', method: 'GET', url: 'http://127.0.0.1:8080/health?q=a%20b' });
  });

  it('lint names unknown projects, containers, bases and other systems\' hosts with file:line', () => {
    const inv = inventory(PROD);
    const text = [
      'title: T', //                                                                1
      'steps:', //                                                                  2
      '  - { id: a, title: A, docker: { project: ghost, ps: true } }', //           3
      '  - { id: b, title: B, docker: { container: nope, stats: true } }', //       4
      '  - { id: c, title: C, http: { base: nothing, path: / } }', //               5
      '  - { id: d, title: D, ssh: { host: blatam-host, command: uptime } }', //    6
      '  - { id: e, title: E, http: { url: "http://x/", via: blatam-host } }', //   7
    ].join('\n');
    expect(runbook(text, 'minimarket/y', inv).errors.map(formatSourceError)).toEqual([
      'minimarket/y.yml:3:43 compose project "ghost" is not in the inventory (systems.minimarket.projects: minimarket)',
      'minimarket/y.yml:4:45 container "nope" is not in the inventory (systems.minimarket.containers: dashboard)',
      'minimarket/y.yml:5:38 http base "nothing" is not in the inventory (systems.minimarket.http: dashboard)',
      'minimarket/y.yml:6:37 host "blatam-host" belongs to another system than "minimarket" (its hosts: minimarket-host)',
      'minimarket/y.yml:7:55 host "blatam-host" belongs to another system than "minimarket" (its hosts: minimarket-host)',
    ]);
    expect(runbook(text.replace(/minimarket/g, 'x'), 'nosuch/y', inv).errors.map((e) => e.message)).toContain(
      'system "nosuch" is not in the inventory (systems:): its Docker targets cannot be found');
  });

  it('refuses broken cross-references at their line', () => {
    expect(errors([
      'systems:', //                                      1
      '  minimarket:', //                                 2
      '    engines:', //                                  3
      '      a: { ssh: nobody }', //                      4
      '      b: { socket: /s }', //                       5
      '    engine: c', //                                 6
      '    projects: { p: { engine: zz } }', //           7
      '    http: { d: { url: "http://h:1", via: x } }', // 8
    ].join('\n'))).toEqual([
      'inv.yml:4:17 systems.minimarket.engines.a.ssh: host "nobody" is not one of this system\'s hosts (none); its pinned host key verifies the tunnel',
      'inv.yml:6:13 systems.minimarket.engine: engine "c" is not one of this system\'s engines (a, b)',
      'inv.yml:7:30 systems.minimarket.projects.p.engine: engine "zz" is not one of this system\'s engines (a, b)',
      'inv.yml:8:42 systems.minimarket.http.d.via: host "x" is not one of this system\'s hosts (none)',
    ]);
    expect(errors('systems:\n  blatam:\n    engines: { e: { tcp: "h:1" } }')).toEqual([
      'inv.yml:3:19 systems.blatam.engines.e: an engine is { socket: PATH }, { tcp: HOST:PORT, ca, cert, key } or { ssh: HOST, socket?: PATH }',
    ]);
  });

  it('host names are unique across systems', () => {
    const text = ['systems:', '  a:', '    hosts:', ...host('h1', 'x'), '  b:', '    hosts:', ...host('h1', 'y')].join('\n');
    expect(errors(text)).toEqual(['inv.yml:12:9 systems.b.hosts.h1: host "h1" is also in systems.a.hosts: host names are unique across the inventory']);
  });

  it('the old single-engine inventory still loads, for every runbook, with a note on how to convert it', () => {
    const r = parseInventory('old.yml', ['hosts:', ...host('web', '10.0.0.1').map((l) => l.slice(4)), 'docker:', '  socket_path: /run/docker.sock', '  containers: [dashboard]'].join('\n'));
    expect(r.errors).toEqual([]);
    expect(r.warnings?.map(formatSourceError)).toEqual([expect.stringMatching(/^old\.yml:7:1 deprecated: top-level docker: .* convert it to systems\.<name>/)]);
    const rb = runbook('title: T\nsteps:\n  - { id: c, title: C, docker: { container: dashboard, stats: true } }', 'anything/x', r.inventory).runbook!;
    const [c] = renderRunbook(rb, {}, {}, r.inventory).steps.map((x) => x.command);
    expect(c).toEqual({ kind: 'docker', action: 'stats', target: { container: 'dashboard' } });
    expect(targetKey(c)).toBe('docker:dashboard');
  });

  it('refuses the old docker: beside systems:, saying how to convert', () => {
    expect(errors('systems: {}\ndocker: { socket_path: /s }')).toEqual([
      expect.stringMatching(/^inv\.yml:2:9 docker: the old single-engine shape cannot stand beside systems:; .*systems\.<name>\.engines \(socket_path → \{ socket \}\)/),
    ]);
  });
});
