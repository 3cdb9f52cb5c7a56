import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunbooks, runbookIdFor, runbooksRootOf } from '#core/runbooks/loader.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { lint, yaml } from './helpers.js';

describe('line mapping', () => {
  it('points unknown keys at the key itself', () => {
    const { errors } = lint(
      yaml(
        'title: T', //                       1
        'steps:', //                         2
        '  - id: a', //                      3
        '    title: A', //                   4
        '    manual: do it', //              5
        '    dangr: true', //                6
        'colour: blue', //                   7
      ),
    );
    expect(errors).toEqual(['demo.yml:6:5 steps.0: unknown key "dangr"', 'demo.yml:7:1 unknown key "colour"']);
  });

  it('points wrong values at the value and missing keys at their parent', () => {
    const { errors } = lint(
      yaml(
        'title: T', //                           1
        'steps:', //                             2
        '  - id: a', //                          3
        '    title: A', //                       4
        '    wait: soon', //                     5
        '  - id: b', //                          6
        '    manual: x', //                      7
        '    timeout: 2 minutes', //             8
      ),
    );
    expect(errors).toContainEqual('demo.yml:5:11 steps.0.wait: expected a duration like 10s, 2m, 1h30m');
    expect(errors).toContainEqual(expect.stringMatching(/^demo\.yml:6:5 steps\.1\.title: /));
    expect(errors).toContainEqual('demo.yml:8:14 steps.1.timeout: expected a duration like 10s, 2m, 1h30m');
    expect(errors).toHaveLength(3);
  });

  it('reports every error of a file at once, in flow style too', () => {
    const { errors } = lint(
      yaml(
        'title: T',
        'params: { Bad: { type: string } }',
        'steps:',
        '  - { id: a, title: A, docker: { container: c, ps: true, stats: true } }',
        '  - { id: b, title: B, http: { url: "http://x", method: FETCH } }',
      ),
    );
    expect(errors).toEqual([
      'demo.yml:2:11 params.Bad: invalid key "Bad": parameter names are lowercase letters, digits and "_"',
      'demo.yml:4:32 steps.0.docker: a docker step does one thing; found stats, ps',
      'demo.yml:5:57 steps.1.http.method: Invalid option: expected one of "GET"|"HEAD"|"POST"|"PUT"|"PATCH"|"DELETE"|"OPTIONS"',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const { errors } = lint(yaml('title: T', 'steps:', '  - id: a', '   title: [unclosed'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^demo\.yml:4:\d+ /);
  });

  it('reports duplicate keys as syntax errors', () => {
    const { errors } = lint(yaml('title: T', 'title: U', 'steps: [{ id: a, title: A, manual: x }]'));
    expect(errors[0]).toMatch(/^demo\.yml:2:1 .*[Mm]ap keys must be unique/);
  });

  it('supports anchors and merge keys within a file', () => {
    const { errors, runbook } = lint(
      yaml(
        'title: T',
        'steps:',
        '  - &check { id: a, title: A, http: { url: "http://x/health" }, timeout: 5s }',
        '  - { <<: *check, id: b, title: B }',
      ),
    );
    expect(errors).toEqual([]);
    expect(runbook!.steps[1]).toMatchObject({ id: 'b', title: 'B', timeout: '5s', http: { url: 'http://x/health' } });
  });

  it('reports an empty file as a missing title and steps', () => {
    const { errors } = lint('');
    expect(errors).toEqual(['demo.yml:1:1 title: required, but missing', 'demo.yml:1:1 steps: required, but missing']);
  });
});

describe('catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-rb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads runbooks recursively with ids from their paths, and collects errors', async () => {
    mkdirSync(join(dir, 'minimarket'));
    mkdirSync(join(dir, '.hidden'));
    const ok = (id?: string) => yaml(...(id ? [`id: ${id}`] : []), 'title: T', 'steps: [{ id: a, title: A, manual: x }]');
    writeFileSync(join(dir, 'minimarket', 'dashboard-down.yml'), ok('minimarket/dashboard-down'));
    writeFileSync(join(dir, 'minimarket', 'backup.yaml'), ok());
    writeFileSync(join(dir, 'minimarket', 'wrong-id.yml'), ok('minimarket/other'));
    writeFileSync(join(dir, 'top.yml'), ok());
    writeFileSync(join(dir, 'notes.txt'), 'not a runbook');
    writeFileSync(join(dir, '.hidden', 'x.yml'), 'garbage: [');
    const c = await loadRunbooks(dir);
    expect(c.runbooks.map((r) => r.id).sort()).toEqual(['minimarket/backup', 'minimarket/dashboard-down', 'top']);
    expect(c.errors.map(formatSourceError)).toEqual([
      `${join(dir, 'minimarket', 'wrong-id.yml')}:1:5 id "minimarket/other" must equal the file's path "minimarket/wrong-id" (or be left out)`,
    ]);
  });

  it('keeps ids relative to the runbooks/ folder when loading a subfolder', async () => {
    mkdirSync(join(dir, 'runbooks', 'shop'), { recursive: true });
    writeFileSync(join(dir, 'runbooks', 'shop', 'a.yml'), yaml('id: shop/a', 'title: T', 'steps: [{ id: a, title: A, manual: x }]'));
    const c = await loadRunbooks(join(dir, 'runbooks', 'shop'));
    expect(c.errors).toEqual([]);
    expect(c.runbooks.map((r) => r.id)).toEqual(['shop/a']);
  });

  it('reports a missing folder', async () => {
    const c = await loadRunbooks(join(dir, 'nope'));
    expect(c.errors[0].message).toBe('no such file or folder');
  });

  it('derives ids from the nearest runbooks/ folder for single files', () => {
    expect(runbookIdFor('runbooks/minimarket/backup.yml')).toBe('minimarket/backup');
    expect(runbookIdFor('/srv/x/runbooks/a/b/c.yaml')).toBe('a/b/c');
    expect(runbookIdFor('/tmp/elsewhere/solo.yml')).toBe('solo');
    expect(runbookIdFor('/r/a/b.yml', '/r')).toBe('a/b');
    expect(runbooksRootOf('/srv/runbooks/minimarket', '/x')).toBe('/srv/runbooks');
    expect(runbooksRootOf('/srv/other', '/x')).toBe('/x');
  });
});
