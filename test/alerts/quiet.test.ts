/** onResolved: resolve — the incident is resolved once the group stayed resolved for quietMinutes, not before. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { fixture, post, TOKEN, writeRunbooks } from './support/alerts.js';

const AM = '/alerts/alertmanager';

describe('resolving after a quiet period', () => {
  let o: LocalOpsroom | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await o?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    o = undefined;
  });

  const start = async (clock: ManualClock) => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-quiet-'));
    writeRunbooks(dir);
    o = await startLocal({ clock, env: { OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_ALERTS_TOKEN: TOKEN }, file: { alerts: { onResolved: 'resolve', quietMinutes: 10, flapMinutes: 5 } } as never });
    return o;
  };
  const body = fixture('alertmanager-v4');
  const resolved = { ...body, status: 'resolved', alerts: [{ ...body.alerts[0], status: 'resolved' }] };

  it('moves to monitoring at once and resolves after 10 quiet minutes', async () => {
    const clock = new ManualClock();
    const x = await start(clock);
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    await post(x.ops.url, AM, resolved);
    expect((await x.ops.store.get(id))!.status).toBe('monitoring');
    clock.advance(9 * 60_000);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([]);
    clock.advance(60_000);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([id]);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([]);
    const i = (await x.ops.store.get(id))!;
    expect(i).toMatchObject({ status: 'resolved', resolution: 'The alert resolved and stayed quiet for 10 min.' });
    await x.settle();
    const card = (await x.ops.store.get(id))!.cardTs!;
    const lines = x.messages(i.channel, card).map(visibleText);
    expect(lines.join("\n")).toMatch(/It resolves at 08:10:00 UTC if the alert stays quiet/);
  });

  it('does not resolve when the group fired again, or when a person reopened the incident', async () => {
    const clock = new ManualClock();
    const x = await start(clock);
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    await post(x.ops.url, AM, resolved);
    clock.advance(5 * 60_000);
    await post(x.ops.url, AM, body); // fires again: the quiet period is over
    clock.advance(20 * 60_000);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([]);
    expect((await x.ops.store.get(id))!.status).toBe('monitoring');

    await post(x.ops.url, AM, resolved);
    clock.advance(11 * 60_000);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([id]);
    await x.ops.incidents.reopen(id, 'U0CAROL');
    await post(x.ops.url, AM, body);
    await post(x.ops.url, AM, resolved);
    clock.advance(30 * 60_000);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([]);
    expect((await x.ops.store.get(id))!.status).toBe('investigating');
  });

  it('does not resolve when a person moved the status during the quiet period', async () => {
    const clock = new ManualClock();
    const x = await start(clock);
    const id = Number((await post(x.ops.url, AM, body)).body.incident.slice(4));
    await post(x.ops.url, AM, resolved);
    expect((await x.ops.store.get(id))!.status).toBe('monitoring');
    clock.advance(60_000);
    await x.ops.incidents.setStatus(id, 'U0CAROL', 'identified');
    clock.advance(20 * 60_000);
    expect(await x.ops.alerts.resolveQuiet()).toEqual([]);
    expect((await x.ops.store.get(id))!.status).toBe('identified');
  });
});
