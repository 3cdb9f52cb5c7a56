/**
 * A real step on a real Docker engine prints a configured secret (inventory `secrets`) and a typed
 * secret parameter (`secret: true`) in every encoding; people type secrets and tokens into updates,
 * resolve summaries and handoff notes. Then, before and after a restart on the same database and
 * workspace (the failed step retried after it), no form of either secret is in the workspace state
 * (messages, ephemerals, views, files), the bot's HTTP answers, any row of any table, the logs or
 * the audit export; and the retried step still ran with the real values.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig, type FileConfig } from '#config/file.js';
import { SECRET_FORMS } from '#core/runs/secret-forms.js';
import { createLogger } from '#src/log.js';
import { auditRecords } from '#ops/audit.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { busyboxRedis, GEN, INC, SECRET, writeRunbooks, type RedisEngine } from './support/runs-world.js';

/** Typed into the slash command: `"` (JSON escapes it), `/ & + =` (percent-encoding changes them). */
const TYPED = 'Tk/9"x&y+z=Q7w';
const TOKEN = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp';

const ECHO = `
title: Mostrar credenciales
match: { keywords: [credenciales] }
docker: { project: blatam }
params:
  token: { type: string, secret: true, required: true }
  conf: { type: string, from: env.OPSROOM_TEST_SECRET }
steps:
  - id: echo
    title: Imprimir credenciales
    docker:
      service: redis
      shell: true
      exec: |
        T={{ token }}; C={{ conf }}
        for S in "$T" "$C"; do
          echo "raw $S"
          echo "quoted '$S'"
          printf 'json {"p":"%s"}\\n' "$(printf %s "$S" | sed 's/[\\\\"]/\\\\&/g')"
          echo "b64 $(printf %s "$S" | base64)"
          echo "basic $(printf %s "user:$S" | base64)"
          echo "pct $(printf %s "$S" | od -An -tx1 | tr -d ' \\n' | sed 's/../%&/g')"
        done
        echo "check $(printf %s "$T" | sha256sum | cut -c1-16) $(printf %s "$C" | sha256sum | cut -c1-16)"
        if [ ! -f /tmp/echo-ran ]; then touch /tmp/echo-ran; exit 1; fi
    expect: { output_contains: check }
    on_failure: continue
`;

const hasDocker = dockerAvailable();
const sha16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** Every form of both secrets that any encoder above (or in opsroom) produces. */
function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const s of [TYPED, SECRET]) {
    for (const [name, f] of Object.entries(SECRET_FORMS)) {
      const form = f(s);
      if (form.length >= 6 && text.includes(form)) found.push(`${s} as ${name}`);
    }
  }
  if (text.includes(TOKEN)) found.push('the Slack token');
  return found;
}

let engine: RedisEngine;
let dir: string;
let ops: Opsroom;
const logs: string[] = [];
const answers: string[] = [];
const stream = new Writable({ write(chunk, _e, done) { logs.push(String(chunk)); done(); } });

async function start(): Promise<void> {
  const paths = { runbooks: join(dir, 'runbooks'), inventory: join(dir, 'inventory.yml') };
  const env = parseEnv({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: paths.runbooks, OPSROOM_INVENTORY: paths.inventory });
  const file = { ...loadFileConfig(join(dir, 'none.yml')), permissions: { runners: [], responders: [], approvalMinutes: 10 } } as unknown as FileConfig;
  ops = await startOpsroom({ env, file, logger: createLogger('debug', stream), loops: false, workspaceState: join(dir, 'workspace.json') });
}
const ws = () => ops.workspace!;
const slash = async (user: string, channel: string, text: string, o: { command?: string; threadTs?: string } = {}) => {
  const r = await ws().slash(user, channel, text, o);
  answers.push(JSON.stringify(r.json ?? null));
  return r;
};
const thread = (ts: string) => ws().state.data.messages.filter((m) => m.channel === INC && m.thread_ts === ts && m.ts !== ts);

/** Every row of every table, read without knowing the schema. */
async function allRows(): Promise<string> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(ops.database.db);
  const out: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(ops.database.db);
    out.push(`${name}: ${JSON.stringify(rows.rows)}`);
  }
  expect(out.some((t) => t.startsWith('step_runs: [{'))).toBe(true);
  return out.join('\n');
}

async function expectNoLeak(): Promise<void> {
  await ops.dispatcher.settle();
  const rows = await allRows();
  const audit = JSON.stringify(await auditRecords(ops.database, new Date(0)));
  const places = { workspace: JSON.stringify(ws().state.data), answers: answers.join('\n'), database: rows, logs: logs.join(''), audit };
  for (const [where, text] of Object.entries(places)) expect({ where, leaks: leaksIn(text) }).toEqual({ where, leaks: [] });
  // The checks can fail: the step's output and the typed text are there, redacted.
  expect(rows).toContain('[REDACTED]');
  expect(audit).toContain('step.run');
}

describe.skipIf(!hasDocker)('secrets stay secret in every form, across a restart', () => {
  beforeAll(async () => {
    process.env.OPSROOM_TEST_SECRET = SECRET;
    engine = await busyboxRedis();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-secrets-'));
    writeRunbooks(dir, engine.socketPath, { runbooks: { 'echo.yml': ECHO } });
    await start();
  }, 90_000);
  afterAll(async () => {
    await ops?.close();
    await engine?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('never shows, stores or logs a secret, and the retried step still gets the real values', async () => {
    const opened = await slash('U0ALICE', GEN, `open P3 Credenciales ${SECRET} expuestas`);
    const key = /Opened \*(INC-\d+)\*/.exec(opened.json.text)![1];
    await ops.dispatcher.settle();
    const card = await waitFor(() => ws().state.data.messages.find((m) => m.channel === INC && m.text.startsWith(`${key} `)));
    await slash('U0ALICE', INC, `update ${key} rotated ${SECRET} and ${TOKEN}`, { threadTs: card.ts });
    await slash('U0BOB', INC, `note ${key} the app token is ${Buffer.from(SECRET).toString('base64')}`, { command: '/handoff' });
    const started = await slash('U0ALICE', INC, `run echo token=${TYPED}`, { command: '/runbook', threadTs: card.ts });
    expect(started.json.text).toMatch(/Started \*Mostrar credenciales\* \(run 1\)/);
    const runCard = await waitFor(() => thread(card.ts).find((m) => m.text.startsWith('Runbook ') && m.text.includes('(run 1)')));

    await ws().click('U0ALICE', { channel: INC, ts: runCard.ts }, 'run.step.run', { value: '1:echo' });
    await waitFor(async () => (await ops.runs.runs.getStep(1, 'echo'))?.state === 'failed', 30_000);
    const first = (await ops.runs.runs.attempts(1, 'echo'))[0];
    expect(first.output).toMatch(/raw \[REDACTED\][\s\S]*pct \[REDACTED\]/);
    await waitFor(() => thread(card.ts).some((m) => visibleText(m).includes('b64 [REDACTED]')));
    await expectNoLeak();

    // Restart on the same database and workspace: the retry needs the sealed values back.
    await ops.close();
    await start();
    await ws().click('U0ALICE', { channel: INC, ts: runCard.ts }, 'run.step.retry', { value: '1:echo' });
    await waitFor(async () => (await ops.runs.runs.getStep(1, 'echo'))?.state === 'succeeded', 30_000);
    const second = (await ops.runs.runs.attempts(1, 'echo'))[1];
    expect(second.output).toContain(`check ${sha16(TYPED)} ${sha16(SECRET)}`);
    expect(second.output).toMatch(/raw \[REDACTED\][\s\S]*json \{"p":"\[REDACTED\]"\}/);
    await slash('U0ALICE', INC, `resolve ${key} fixed, ${TYPED} was the culprit`, { threadTs: card.ts });
    await slash('U0BOB', INC, '', { command: '/handoff' });
    await expectNoLeak();
  }, 180_000);
});
