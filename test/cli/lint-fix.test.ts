import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixText, oldFormErrors } from '#cli/lint-fix.js';
import { main } from '#cli/lint.js';
import { parseRunbook } from '#core/runbooks/loader.js';
import { matchesOnlyEmpty } from '#core/runbooks/old-forms.js';
import { renderSteps } from '#core/runbooks/render.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';

const OLD = [
  '# Caída del panel',
  'title: Panel caído',
  '# Pasos del seed',
  'steps:',
  '  # Diagnóstico',
  "  - { id: logs, title: Logs, docker: { container: web, logs: { grep: 'error\\|fatal', ignore_case: true } }, expect: { output_matches: '(?<![\\s\\S])(?![\\s\\S])' }, on_failure: continue }",
  '  - id: health',
  '    title: Salud',
  '    http:',
  '      url: "http://x/health"',
  '      expect_status: [200, 204]   # también 204',
  '      expect_body: "ok"',
  '    on_failure: continue',
  '  - { id: ready, title: Listo, http: { url: "http://x/ready", expect_body: up }, on_failure: continue }',
  '  - id: restart',
  '    title: Reiniciar',
  '    docker: { container: web, restart: true }',
  '    danger: true',
  '  - { id: empty, title: Vacío, ssh: { host: h, command: "ls /tmp/x" }, expect: { output_matches: "^\\\\s*$" }, on_failure: continue }',
  '',
].join('\n');

const NEW = [
  '# Caída del panel',
  'title: Panel caído',
  'defaults: { on_failure: continue }',
  '# Pasos del seed',
  'steps:',
  '  # Diagnóstico',
  "  - { id: logs, title: Logs, docker: { container: web, logs: { grep: 'error|fatal', ignore_case: true } }, expect: { output_empty: true } }",
  '  - id: health',
  '    title: Salud',
  '    http:',
  '      url: "http://x/health"',
  '    expect: { status: [200, 204], body_contains: "ok" }',
  '  - { id: ready, title: Listo, http: { url: "http://x/ready" }, expect: { body_contains: up } }',
  '  - id: restart',
  '    title: Reiniciar',
  '    docker: { container: web, restart: true }',
  '    danger: true',
  '    on_failure: stop',
  '  - { id: empty, title: Vacío, ssh: { host: h, command: "ls /tmp/x" }, expect: { output_empty: true } }',
  '',
].join('\n');

const load = (text: string) => {
  const r = parseRunbook('t/x.yml', text, 't/x');
  if (!r.runbook) throw new Error(r.errors.map(formatSourceError).join('\n'));
  return { ...r.runbook, file: 't/x.yml' };
};

describe('lint: old forms', () => {
  it('are errors at file:line that name the new form', () => {
    expect(oldFormErrors(load(OLD), OLD).map(formatSourceError)).toEqual([
      "t/x.yml:6:70 grep 'error\\|fatal' is a grep basic regex: write the JavaScript regex 'error|fatal' (| not \\|)",
      "t/x.yml:6:135 output_matches '(?<![\\s\\S])(?![\\s\\S])' only matches empty output: use output_empty: true",
      "t/x.yml:6:174 4 of 5 steps repeat on_failure: continue: set defaults: { on_failure: continue } once (steps that stop say on_failure: stop)",
      't/x.yml:11:22 http.expect_status / expect_body: use expect: { status, body_contains }',
      't/x.yml:14:76 http.expect_status / expect_body: use expect: { status, body_contains }',
      "t/x.yml:19:98 output_matches '^\\s*$' only matches empty output: use output_empty: true",
    ]);
  });

  it('--fix rewrites them in place, keeping comments and layout, and the steps mean the same', () => {
    const r = fixText('t/x.yml', OLD, 't/x', {});
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(NEW);
    expect(oldFormErrors(load(r.text), r.text)).toEqual([]);
    const strip = (steps: ReturnType<typeof renderSteps>) => steps.map((s) => ({ ...s, expect: { ...s.expect, outputMatches: undefined, outputEmpty: undefined } }));
    const before = renderSteps(load(OLD), {});
    const after = renderSteps(load(r.text), {});
    expect(strip(after)).toEqual(strip(before));
    expect(after.map((s) => s.expect.outputEmpty)).toEqual([true, undefined, undefined, undefined, true]);
  });

  it('a default repeated on a step is noise; a runbook that mostly stops is left alone', () => {
    const text = 'title: T\ndefaults: { on_failure: continue }\nsteps:\n  - { id: a, title: A, manual: x, on_failure: continue }\n  - { id: b, title: B, manual: y }\n';
    expect(oldFormErrors(load(text), text).map((e) => e.message)).toEqual(["on_failure: continue is the runbook's default already (defaults:); remove it"]);
    expect(fixText('t/x.yml', text, 't/x', {}).text).toBe('title: T\ndefaults: { on_failure: continue }\nsteps:\n  - { id: a, title: A, manual: x }\n  - { id: b, title: B, manual: y }\n');
    const few = 'title: T\nsteps:\n  - { id: a, title: A, manual: x, on_failure: continue }\n  - { id: b, title: B, manual: y }\n  - { id: c, title: C, manual: z }\n';
    expect(oldFormErrors(load(few), few)).toEqual([]);
  });

  it('tells empty-only patterns from others', () => {
    for (const p of ['(?<![\\s\\S])(?![\\s\\S])', '^$', '^\\s*$', '^(?![\\s\\S])']) expect(matchesOnlyEmpty(p), p).toBe(true);
    for (const p of ['^\\s*\\[\\s*\\]\\s*$', '^\\d+\\s*$', 'x*', '.*', '{{ a }}']) expect(matchesOnlyEmpty(p), p).toBe(false);
  });

  it('opsroom lint --fix rewrites the files and then reports them clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-fix-'));
    const file = join(dir, 'x.yml');
    writeFileSync(file, OLD);
    const config = join(dir, 'opsroom.yml');
    writeFileSync(config, '{}\n');
    const quiet = { stdout: process.stdout.write, stderr: process.stderr.write };
    const out: string[] = [];
    process.stdout.write = ((c: string) => out.push(String(c)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => out.push(String(c)) > 0) as typeof process.stderr.write;
    try {
      expect(await main([file, '--config', config])).toBe(1);
      expect(await main(['--fix', file, '--config', config])).toBe(0);
    } finally {
      process.stdout.write = quiet.stdout;
      process.stderr.write = quiet.stderr;
    }
    expect(readFileSync(file, 'utf8')).toBe(NEW);
    expect(out.join('')).toContain('fixed ');
  });
});
