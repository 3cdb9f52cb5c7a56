import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isCoded } from '#core/errors.js';
import { renderSteps } from '#core/runbooks/render.js';
import { shellQuote } from '#core/runbooks/templates.js';
import type { ResolvedCommand } from '#core/runs/step-runner.js';
import { grepMatcher } from '#executors/docker/logs.js';
import { remoteCommandOf } from '#executors/kubernetes/kubernetes-step-runner.js';
import { lint, yaml } from './helpers.js';

/** Values an attacker (or a typo) might put in a parameter. Each must arrive as one inert argument. */
const ACCEPTED = [
  '; id',
  '&& id',
  '| id',
  '$(id)',
  '`id`',
  '${IFS}id',
  '$HOME',
  "it's",
  "'; id; echo '",
  '"; id; echo "',
  '\\',
  "\\'",
  '*',
  '~root',
  '!!',
  'a b  c',
  '> /tmp/opsroom-pwned',
  '../../etc/passwd',
  'ｉｄ；ｒｍ', // fullwidth look-alikes
  '\u2010\u2010force', // unicode hyphens, not "-"
  '\u2212rf', // minus sign
  'dashboard-x', // "-" inside is fine
  '',
];
/** Refused before rendering: options, control characters, invisible format characters. */
const REFUSED = ['--option', '-rf', '-', 'a\nid', 'a\rid', 'nul\u0000byte', 'tab\there', '\u202Eevil', 'zero\u200Bwidth', 'esc\u001b[31m'];

const runbook = (() => {
  const r = lint(
    yaml(
      'title: Injection',
      'params: { v: { type: string, required: false } }',
      'ssh: { host: h }',
      'steps:',
      `  - { id: ssh, title: S, ssh: { command: "printf '%s\\\\n' {{ v }} x{{ v }}y" } }`,
      `  - { id: sh, title: D, docker: { container: c, shell: true, exec: "printf '%s\\\\n' {{ v }}" } }`,
      `  - { id: argv, title: A, docker: { container: c, exec: [printf, "%s\\\\n", "{{ v }}", "pre-{{ v }}"] } }`,
      '  - { id: url, title: U, http: { url: "http://example.test/search?q={{ v }}&x=1" } }',
    ),
  );
  expect(r.errors).toEqual([]);
  return r.runbook!;
})();

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });
const cmd = <K extends ResolvedCommand['kind']>(c: ResolvedCommand, kind: K) => {
  expect(c.kind).toBe(kind);
  return c as Extract<ResolvedCommand, { kind: K }>;
};

describe('injection corpus', () => {
  it.each(ACCEPTED)('keeps %j one inert argument everywhere', (value) => {
    const [ssh, shell, argv, url] = renderSteps(runbook, { v: value });

    // ssh: a real shell sees exactly the intended words.
    const s = cmd(ssh.command, 'ssh');
    expect(sh(s.command)).toBe(`${value}\nx${value}y\n`);

    // docker `shell: true`: the argv is sh -c <text>; run it the same way.
    const d = cmd(shell.command, 'docker');
    expect(d.action === 'exec' && d.argv.slice(0, 2)).toEqual(['sh', '-c']);
    if (d.action !== 'exec') throw new Error('expected exec');
    expect(execFileSync(d.argv[0], d.argv.slice(1), { encoding: 'utf8' })).toBe(`${value}\n`);

    // docker argv: no shell, each value stays inside its own element.
    const a = cmd(argv.command, 'docker');
    if (a.action !== 'exec') throw new Error('expected exec');
    expect(a.argv).toEqual(['printf', '%s\\n', value, `pre-${value}`]);
    expect(execFileSync(a.argv[0], a.argv.slice(1), { encoding: 'utf8' })).toBe(`${value}\npre-${value}\n`);

    // http: the value is one query parameter, nothing more.
    const u = new URL(cmd(url.command, 'http').url);
    expect(u.host).toBe('example.test');
    expect(u.searchParams.get('q')).toBe(value);
    expect(u.searchParams.get('x')).toBe('1');
  });

  it.each(REFUSED)('refuses %j before rendering anything', (value) => {
    let error: unknown;
    try {
      renderSteps(runbook, { v: value });
    } catch (e) {
      error = e;
    }
    expect(isCoded(error, 'bad_input')).toBe(true);
    expect((error as Error).message).toMatch(/^parameter "v" (must not start with "-"|contains a control or invisible character)/);
  });

  it('shell-quotes what validation would refuse too (newlines, leading dashes)', () => {
    for (const v of ['a\nid', 'x\n$(id)\n`id`', '--option', "multi\n'line'"])
      expect(sh(`printf '%s\\n' ${shellQuote(v)}`)).toBe(`${v}\n`);
  });

  it('lets a parameter allow a leading dash, still as one argument', () => {
    const r = lint(
      yaml(
        'title: T',
        'params: { flag: { type: string, allow_leading_dash: true, pattern: "--[a-z]+" } }',
        'steps:',
        `  - { id: a, title: A, ssh: { host: h, command: "printf '%s\\\\n' {{ flag }}" } }`,
      ),
    );
    const [step] = renderSteps(r.runbook!, { flag: '--all' });
    expect(sh(cmd(step.command, 'ssh').command)).toBe('--all\n');
    expect(() => renderSteps(r.runbook!, { flag: '--all; id' })).toThrow(/must match/);
  });

  it('quotes incident fields taken with `from` like any other value', () => {
    const r = lint(
      yaml(
        'title: T',
        'params: { t: { type: string, from: incident.title } }',
        'steps:',
        `  - { id: a, title: A, ssh: { host: h, command: "printf '%s\\\\n' {{ t }}" } }`,
      ),
    );
    const [step] = renderSteps(r.runbook!, {}, { incident: { title: 'Checkout down; id; $(whoami)' } });
    expect(sh(cmd(step.command, 'ssh').command)).toBe('Checkout down; id; $(whoami)\n');
  });

  it('escapes values in a logs grep so they match literally, in either dialect of the template', () => {
    const word = 'a.b\\|c*[x]^$(y)+';
    const lines = [word, 'aXb', 'c', 'a.b|c*[x]^$(y)+', 'other', 'x|y'];
    for (const [grep, want] of [['"{{ word }}"', [word]], ['"other|{{ word }}"', [word, 'other']], ['"other\\\\|{{ word }}"', [word, 'other']]] as const) {
      const r = lint(yaml('title: T', 'params: { word: { type: string } }', 'steps:', `  - { id: a, title: A, docker: { container: c, logs: { grep: ${grep} } } }`));
      const [step] = renderSteps(r.runbook!, { word });
      const c = cmd(step.command, 'docker');
      if (c.action !== 'logs') throw new Error('expected logs');
      expect(lines.filter(grepMatcher(c.grep!, false)), grep).toEqual(want);
    }
  });
});

describe('a shell script inside an argv list', () => {
  it('is read by lint as shell and its parameters are shell-quoted', async () => {
    const { parseRunbook } = await import('#core/runbooks/loader.js');
    const { renderRunbook } = await import('#core/runbooks/render.js');
    const text = (exec: string) => ['title: T', 'params: { file: { type: string } }', 'steps:', `  - { id: a, title: A, docker: { container: db, exec: ${exec} } }`].join('\n');
    for (const exec of ['[sh, -c, "tail -n 5 {{ file }}"]', '[env, bash, -ec, "tail -n 5 {{ file }}"]', '[busybox, sh, -c, "tail -n 5 {{ file }}"]']) {
      const rb = parseRunbook('t.yml', text(exec), 't/demo').runbook!;
      const argv = (renderRunbook(rb, { file: 'x; touch /tmp/pwned' }).steps[0].command as { argv: string[] }).argv;
      expect(argv.at(-1)).toBe("tail -n 5 'x; touch /tmp/pwned'");
    }
    const quoted = parseRunbook('t.yml', text('[sh, -c, "tail -n 5 \'{{ file }}\'"]'), 't/demo');
    expect(quoted.errors.length).toBeGreaterThan(0);
  });
});

describe('injection corpus: kubernetes steps', () => {
  const kube = (() => {
    const r = lint(yaml(
      'title: K',
      'params: { v: { type: string, required: false } }',
      'steps:',
      `  - { id: exec, title: E, kubernetes: { exec: deployment/redis, command: [printf, "%s\\\\n", "{{ v }}", "pre-{{ v }}"] }, read_only: true }`,
      '  - { id: name, title: N, kubernetes: { get: "deployment/{{ v }}" } }',
    ), {}, 'denis/k');
    expect(r.errors).toEqual([]);
    return r.runbook!;
  })();

  it.each(ACCEPTED)('exec keeps %j whole, and the bastion\'s shell reads it back unchanged', (value) => {
    const exec = (v: string) => renderSteps({ ...kube, steps: kube.steps.slice(0, 1) }, { v })[0].command;
    const c = cmd(exec(value), 'kubernetes');
    expect(c.argv.slice(-4)).toEqual(['printf', '%s\\n', value, `pre-${value}`]);
    // What the SSH executor sends: every element single-quoted; a real sh gives back the same argv.
    expect(sh(remoteCommandOf(c.argv.slice(-4)))).toBe(`${value}\npre-${value}\n`);
  });

  it.each(ACCEPTED.filter((v) => v !== 'dashboard-x'))('a resource name %j that is not a Kubernetes name is refused', (value) => {
    expect(() => renderSteps({ ...kube, steps: kube.steps.slice(1) }, { v: value })).toThrow(/kubernetes get ".*" is not/);
  });
});
