/**
 * Errors in listeners become replies in one place (listeners/reply.ts), through the real Bolt app
 * and signed requests: an unexpected error gives the person "something went wrong" and one log
 * line with its stack; a CodedError gives its message and no log line. What escapes a listener
 * reaches Bolt's global error handler, which logs it and answers through response_url.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import type { Workspace } from '#workspace/index.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const WENT_WRONG = 'Something went wrong on our side; nothing was changed. The error was logged.';

let ops: Opsroom;
let ws: Workspace;
let dir: string;
let lines: Array<Record<string, any>>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-errors-'));
  // Each opsroom writes to its own list: lines a closed one writes late do not reach the next test.
  const mine: Array<Record<string, any>> = [];
  lines = mine;
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) mine.push(JSON.parse(l));
      done();
    },
  });
  const env = parseEnv({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, OPSROOM_CONFIG: join(dir, 'none.yml') });
  ops = await startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('warn', stream), loops: false });
  ws = ops.workspace!;
  await ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
  await ops.dispatcher.settle();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await ops.close();
  rmSync(dir, { recursive: true, force: true });
});

const cardTs = () => ws.state.data.messages.find((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts))!.ts;
const logged = (msg: string) => lines.filter((l) => l.msg === msg);
const ephemeralFor = (user: string, text: string) => ws.state.data.ephemerals.find((e) => e.ephemeral_for === user && e.text.includes(text));
/** An error with a stack from a named function, to find in the log line. */
function unexpected(): Error {
  return (function brokenDatabase() { return new Error('disk on fire'); })();
}
const hasStack = (line: Record<string, any> | undefined) => expect(String(line?.error)).toMatch(/Error: disk on fire\n\s+at brokenDatabase/);

describe('an unexpected error in a listener', () => {
  it('answers a slash command with "something went wrong" and logs the stack once', async () => {
    vi.spyOn(ops.incidents, 'acknowledge').mockRejectedValue(unexpected());
    const r = await ws.slash('U0BOB', GEN, 'ack INC-1');
    expect(r.json).toMatchObject({ response_type: 'ephemeral', text: `:boom: ${WENT_WRONG}` });
    expect(logged('slash command failed')).toHaveLength(1);
    hasStack(logged('slash command failed')[0]);
    expect(logged('slack listener error')).toHaveLength(0);
  });

  it('tells only the clicker of a button, in the channel of the card, and logs the stack', async () => {
    vi.spyOn(ops.incidents, 'acknowledge').mockRejectedValue(unexpected());
    await ws.click('U0BOB', { channel: INC, ts: cardTs() }, 'incident.acknowledge');
    const told = await waitFor(() => ephemeralFor('U0BOB', WENT_WRONG));
    expect(told).toMatchObject({ channel: INC, text: `:boom: ${WENT_WRONG}` });
    expect(ws.state.data.ephemerals.filter((e) => e.text.includes(WENT_WRONG)).map((e) => e.ephemeral_for)).toEqual(['U0BOB']);
    const line = await waitFor(() => logged('card action failed')[0]);
    expect(line.actionId).toBe('incident.acknowledge');
    hasStack(line);
  });

  it('keeps a modal open with the error next to its field, and logs the stack', async () => {
    vi.spyOn(ops.incidents, 'postUpdate').mockRejectedValue(unexpected());
    await ws.click('U0CAROL', { channel: INC, ts: cardTs() }, 'incident.post_update');
    const view = await waitFor(() => ws.state.data.views.find((v) => v.user === 'U0CAROL'));
    const sub = await ws.submitView('U0CAROL', view.id, { text: 'Rolled back the deploy' });
    expect(sub.errors).toEqual({ text: WENT_WRONG });
    expect(logged('update from modal failed')).toHaveLength(1);
    hasStack(logged('update from modal failed')[0]);
    // Nothing was posted: the thread has the opening lines only.
    await ops.dispatcher.settle();
    expect(ws.state.data.messages.some((m) => m.text.includes('Rolled back the deploy'))).toBe(false);
  });
});

describe('a CodedError in a listener', () => {
  const conflict = () => new CodedError(ErrorCode.Conflict, 'Someone changed INC-1 meanwhile; try again.');

  it('gives its message to a slash command, unlogged', async () => {
    vi.spyOn(ops.incidents, 'acknowledge').mockRejectedValue(conflict());
    const r = await ws.slash('U0BOB', GEN, 'ack INC-1');
    expect(r.json).toMatchObject({ response_type: 'ephemeral', text: ':warning: Someone changed INC-1 meanwhile; try again.' });
    expect(lines.filter((l) => l.msg.includes('failed') || l.msg === 'slack listener error')).toEqual([]);
  });

  it('gives its message to the clicker of a button, unlogged', async () => {
    vi.spyOn(ops.incidents, 'acknowledge').mockRejectedValue(conflict());
    await ws.click('U0BOB', { channel: INC, ts: cardTs() }, 'incident.acknowledge');
    const told = await waitFor(() => ephemeralFor('U0BOB', 'Someone changed INC-1'));
    expect(told).toMatchObject({ channel: INC, text: ':warning: Someone changed INC-1 meanwhile; try again.' });
    expect(lines.filter((l) => l.msg.includes('failed') || l.msg === 'slack listener error')).toEqual([]);
  });

  it('shows its message next to the modal field, unlogged', async () => {
    vi.spyOn(ops.incidents, 'postUpdate').mockRejectedValue(conflict());
    await ws.click('U0CAROL', { channel: INC, ts: cardTs() }, 'incident.post_update');
    const view = await waitFor(() => ws.state.data.views.find((v) => v.user === 'U0CAROL'));
    const sub = await ws.submitView('U0CAROL', view.id, { text: 'Rolled back the deploy' });
    expect(sub.errors).toEqual({ text: 'Someone changed INC-1 meanwhile; try again.' });
    expect(lines.filter((l) => l.msg.includes('failed') || l.msg === 'slack listener error')).toEqual([]);
  });
});

describe('what escapes a listener', () => {
  it('is logged with its stack by the global error handler and told to the person through response_url', async () => {
    // `/incident` opens the form after the ack; Slack refusing views.open escapes the listener.
    ws.failNext('views.open', { status: 200, error: 'internal_error' });
    const r = await ws.slash('U0ALICE', GEN, '');
    expect(r.status).toBe(200);
    const told = await waitFor(() => ephemeralFor('U0ALICE', WENT_WRONG));
    expect(told.channel).toBe(GEN);
    const line = await waitFor(() => logged('slack listener error')[0]);
    expect(line.kind).toBe('command');
    expect(String(line.error)).toMatch(/internal_error[\s\S]*\n\s+at /);
  });

  it('is logged once when the listener logged it already (a thread reply that could not be recorded)', async () => {
    const add = vi.spyOn(ops.store, 'record').mockRejectedValue(unexpected());
    await ws.message('U0BOB', INC, 'Rolling back now', cardTs());
    await waitFor(() => logged('thread message not recorded')[0]);
    expect(add).toHaveBeenCalled();
    hasStack(logged('thread message not recorded')[0]);
    expect(logged('slack listener error')).toHaveLength(0);
  });
});
