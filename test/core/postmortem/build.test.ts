import { describe, expect, it } from 'vitest';
import type { FollowUp } from '#core/followups/model.js';
import type { Incident } from '#core/incidents/incident.js';
import type { TimelineEvent } from '#core/incidents/timeline.js';
import { buildPostmortem } from '#core/postmortem/build.js';
import { guessLanguage, languageOfSystems } from '#core/postmortem/language.js';
import { mdCode, mdFence, mdText } from '#core/postmortem/markdown.js';
import type { PostmortemInput, RunRecord } from '#core/postmortem/model.js';
import { toJson, toMarkdown } from '#core/postmortem/render.js';
import { knownSecrets } from '#core/runs/known-secrets.js';
import type { Attempt } from '#core/runs/ports.js';
import { SECRET_FORMS } from '#core/runs/secret-forms.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 7, title: 'Redis caído', severity: 'P1', status: 'resolved', commander: 'U0ALICE', openedBy: 'U0ALICE', summary: null, service: 'redis',
  system: 'blatam', channel: 'C0INCIDENTS', sourceChannel: 'C0GENERAL', cardTs: '1.1', createdAt: T0, acknowledgedAt: at(60), acknowledgedBy: 'U0BOB',
  mitigatedAt: null, resolvedAt: at(900), resolution: 'restarted', lastUpdateAt: at(900), lastReminderAt: null, version: 5, ...over,
});
let nextEvent = 1;
const ev = (s: number, kind: TimelineEvent['kind'], actor: string, text: string, data: Record<string, unknown> | null = null): TimelineEvent =>
  ({ id: nextEvent++, incidentId: 7, at: at(s), actor, kind, text, data });
const attempt = (s: number, stepId: string, over: Partial<Attempt> = {}): Attempt => ({
  runId: 1, stepId, number: 1, actor: 'U0ALICE', startedAt: at(s), target: 'docker:blatam/redis', command: `docker exec blatam/redis ${stepId}`,
  approvalRefs: [], lockOwner: null, instance: null, state: 'succeeded', finishedAt: at(s + 2), exitCode: 0, durationMs: 2000, output: 'PONG\n',
  outputDroppedBytes: 0, error: null, ...over,
});
const run = (attempts: Attempt[]): RunRecord => ({
  run: { id: 1, runbookId: 'blatam/redis-down', incidentId: 7, params: {}, startedBy: 'U0ALICE', createdAt: at(100), state: 'succeeded' },
  steps: [...new Set(attempts.map((a) => a.stepId))].map((stepId, position) => ({
    runId: 1, stepId, position, attempts: 1, updatedAt: at(0), state: 'succeeded',
    step: { id: stepId, title: stepId === 'ping' ? 'Verificar estado Redis' : 'Reiniciar Redis', command: { kind: 'docker' } as never, danger: stepId === 'restart', timeoutMs: 1000, expect: {} as never, onFailure: 'stop' as never, redact: false },
  })),
  attempts,
});
const input = (over: Partial<PostmortemInput> = {}): PostmortemInput => ({
  incident: incident(), events: [ev(0, 'opened', 'U0ALICE', 'Opened as P1: Redis caído', { severity: 'P1' })], runs: [], followUps: [],
  language: 'en', now: at(1000), ...over,
});

describe('postmortem draft', () => {
  it('interleaves status changes, updates and every step attempt in time order, with actor, approver and exit code', () => {
    const events = [
      ev(0, 'opened', 'U0ALICE', 'Opened as P1: Redis caído', { severity: 'P1' }),
      ev(60, 'acknowledged', 'U0BOB', 'Acknowledged after 1m'),
      ev(150, 'update', 'U0ALICE', 'Looks like OOM'),
      // The step event of the attempt below is not repeated.
      ev(202, 'step', 'U0ALICE', '`grep` on `docker:blatam/redis`: failed', { runId: 1, stepId: 'grep', attempt: 1 }),
      ev(290, 'approval', 'U0BOB', "approved <@U0ALICE>'s request 1 to run `restart`"),
      ev(400, 'status', 'U0ALICE', 'Status investigating → monitoring', { from: 'investigating', to: 'monitoring' }),
      ev(500, 'reminder', 'opsroom', 'No update for 30m'),
      ev(900, 'resolved', 'U0ALICE', 'Resolved: restarted'),
    ];
    const runs = [run([
      attempt(120, 'ping'),
      attempt(200, 'grep', { state: 'failed', exitCode: 1, output: 'looking for oom\n' }),
      attempt(300, 'restart', { approvalRefs: ['confirmed:U0ALICE', 'approved:U0BOB', 'approval:1'], output: '' }),
    ])];
    const pm = buildPostmortem(input({ events, runs, names: { U0ALICE: 'alice', U0BOB: 'bob' } }));
    if (process.env.SHOW_PM) console.log(toMarkdown(pm));
    expect(pm.timeline.map((e) => (e.type === 'step' ? `step:${e.stepId}:${e.actor}:${e.approver}:${e.exitCode}` : e.kind))).toEqual([
      'opened', 'acknowledged', 'step:ping:U0ALICE:null:0', 'update', 'step:grep:U0ALICE:null:1', 'approval', 'step:restart:U0ALICE:U0BOB:0', 'status', 'resolved',
    ]);
    expect(pm.times).toMatchObject({ ttaMs: 60_000, ttmMs: null, ttrMs: 900_000 });
    expect(pm.participants).toEqual([
      { user: 'U0ALICE', name: 'alice', roles: ['commander', 'opened', 'ran'] },
      { user: 'U0BOB', name: 'bob', roles: ['acknowledged', 'approved'] },
    ]);
    const md = toMarkdown(pm);
    const lines = md.split('\n');
    const order = ['`ping`', '`grep`', '`restart`'].map((s) => lines.findIndex((l) => l.includes(s)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(md).toMatch(/`restart` Reiniciar Redis · run 1 `blatam\/redis-down` · on `docker:blatam\/redis` · by @alice, approved by @bob · \*\*succeeded, exit 0, 2s\*\*/);
    expect(md).toMatch(/`grep` .* by @alice · \*\*failed, exit 1, 2s\*\*/);
    expect(md).toContain("approval · @bob: approved @alice's request 1 to run \\`restart\\`");
    expect(md).not.toContain('No update for');
    expect(md).toMatch(/\| Time to mitigate \| not recorded \|/);
    expect(md).toMatch(/## Causes\n\n_To be written by the team._/);
    expect(JSON.parse(toJson(pm)).timeline).toHaveLength(9);
  });

  it('says what is not known: never acknowledged, not mitigated, still open', () => {
    const pm = buildPostmortem(input({ incident: incident({ acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolution: null, status: 'investigating' }) }));
    expect(pm.times).toEqual({ opened: T0, acknowledged: null, mitigated: null, resolved: null, ttaMs: null, ttmMs: null, ttrMs: null });
    expect(pm.impact).toMatchObject({ durationMs: 1_000_000, ongoing: true });
    const md = toMarkdown(pm);
    expect(md).toMatch(/\| Acknowledged \| not recorded \|/);
    expect(md).toMatch(/\| Time to resolve \(MTTR\) \| not recorded \|/);
    expect(md).toMatch(/\*\*Duration:\*\* 16m 40s \(ongoing\)/);
    const mitigated = toMarkdown(buildPostmortem(input({ incident: incident({ mitigatedAt: at(330) }) })));
    expect(mitigated).toMatch(/\| Mitigated \| 2026-03-01 10:05:30 UTC \|/);
    expect(mitigated).toMatch(/\| Time to mitigate \| 5m 30s \|/);
  });

  it('writes Spanish headings for a team whose runbooks are Spanish', () => {
    const md = toMarkdown(buildPostmortem(input({ language: 'es', runs: [run([attempt(120, 'ping', { state: 'failed', exitCode: 1 })])] })));
    for (const h of ['# Borrador de postmortem: INC-7', '## Resumen', '## Impacto', '## Momentos clave', '## Cronología', '## Participantes', '## Acciones de seguimiento', '## Causas', '## Qué salió bien', '## Lecciones aprendidas']) expect(md).toContain(h);
    expect(md).toMatch(/por U0ALICE · \*\*falló, código de salida 1, 2s\*\*/);
    expect(md).not.toContain('## Timeline');
    const runbooks = [
      { id: 'blatam/redis-down', title: 'Redis caído', steps: [{ title: 'Verificar estado Redis' }, { title: 'Reiniciar el contenedor' }] },
      { id: 'acme/disk-full', title: 'Disk full', steps: [{ title: 'Check the free space' }, { title: 'Clean the logs' }] },
    ];
    expect(languageOfSystems(['blatam'], runbooks)).toBe('es');
    expect(languageOfSystems(['acme'], runbooks)).toBe('en');
    expect(languageOfSystems([], runbooks)).toBe('en');
    expect(guessLanguage(['Restart the service and check the logs'])).toBe('en');
  });

  it('escapes untrusted text: titles, updates and follow-ups cannot become headings, links, HTML or mentions', () => {
    const hostile = '# Hi <img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** <!here> `code` | pipe\n\n## Injected';
    const f: FollowUp = { id: 1, incidentId: 7, text: hostile, owner: 'U0BOB', createdBy: 'U0ALICE', createdAt: at(5), doneBy: null, doneAt: null, issueUrl: 'javascript:alert(1)' };
    const md = toMarkdown(buildPostmortem(input({
      incident: incident({ title: hostile, summary: hostile }), events: [ev(10, 'update', 'U0ALICE', hostile)], followUps: [f],
    })));
    expect(md).not.toMatch(/^#+ (Hi|Injected)/m);
    expect(md).not.toMatch(/(?<!\\)<img|(?<!\\)\]\(javascript|(?<!\\)<!here>|(?<!\\)\*\*bold/);
    expect(md).toContain('\\[click\\](javascript:alert(1))');
    expect(md).not.toContain('[issue](javascript');
    expect(md).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(md.split('\n').filter((l) => l.startsWith('## ')).length).toBe(9);
    expect(mdText('a\u202eb\u0007c\x1b[31mred')).toBe('abcred');
  });

  it('keeps an output excerpt fenced even when the output is full of backticks', () => {
    const output = 'ok\n````\n# not a heading\n``` still inside\nlast line\n';
    const md = toMarkdown(buildPostmortem(input({ runs: [run([attempt(120, 'ping', { output })])] })));
    const fence = /^ {4}(`{5,})text$/m.exec(md);
    expect(fence?.[1]).toBe('`````');
    const body = md.slice(md.indexOf(fence![0]) + fence![0].length, md.indexOf(`\n    ${fence![1]}\n`));
    expect(body).toContain('    # not a heading');
    expect(mdFence('plain')).toBe('```text\nplain\n```');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    const long = Array.from({ length: 40 }, (_, n) => `line ${n + 1}`).join('\n');
    const tail = toMarkdown(buildPostmortem(input({ runs: [run([attempt(120, 'ping', { output: long })])] })));
    expect(tail).toContain('output (last 12 of 40 lines):');
    expect(tail).toContain('    line 40');
    expect(tail).not.toContain('    line 28\n');
  });

  describe('secrets', () => {
    const SECRET = 'pm-Secret/9"x&y+z=Q7';
    knownSecrets.add([SECRET]);
    const leaks = (text: string) =>
      Object.entries(SECRET_FORMS).filter(([, f]) => f(SECRET).length >= 6 && text.includes(f(SECRET))).map(([n]) => n);

    it('never shows a configured secret in any form, even from rows stored before redaction', () => {
      const forms = Object.values(SECRET_FORMS).map((f) => f(SECRET)).filter((x) => x.length >= 6);
      const dirty = forms.join(' | ');
      const pm = buildPostmortem(input({
        incident: incident({ title: `Leak ${SECRET}`, summary: dirty, resolution: dirty }),
        events: [ev(10, 'update', 'U0ALICE', dirty), ev(20, 'note', 'U0BOB', `token xoxb-123456789012-1234567890123-AbCdEfGhIjKl ${SECRET}`)],
        runs: [run([attempt(120, 'ping', { command: `redis-cli -a '${SECRET}' ping`, output: `${dirty}\n`, error: SECRET })])],
        followUps: [{ id: 1, incidentId: 7, text: `rotate ${SECRET}`, owner: null, createdBy: 'U0ALICE', createdAt: at(5), doneBy: null, doneAt: null, issueUrl: null }],
      }));
      const md = toMarkdown(pm);
      const json = toJson(pm);
      expect(leaks(md)).toEqual([]);
      expect(leaks(json)).toEqual([]);
      expect(md).not.toContain('xoxb-123456789012');
      // The checks can fail: the places are there, redacted.
      expect(md).toContain('[REDACTED]');
      expect(md).toMatch(/update · U0ALICE: .*REDACTED/);
    });
  });
});
