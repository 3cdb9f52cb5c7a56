/**
 * After the incident, end to end on the local workspace with steps on a real Docker engine: a
 * failed diagnostic, a step that prints a configured secret, an approved restart, a follow-up,
 * then resolve. The resolved card's Postmortem button posts a Markdown file in the thread whose
 * timeline lists each command with who ran it, who approved it and its exit code, in order, with
 * no form of the secret; a redelivery posts nothing more; Done on the card is recorded, and the
 * handoff lists what is still open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentKey } from '#core/incidents/incident.js';
import { SECRET_FORMS } from '#core/runs/secret-forms.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { GEN, INC, SECRET, openIncident, runCardOf, startRunsWorld, threadOf, type RunsWorld } from './support/runs-world.js';

const hasDocker = dockerAvailable();
let w: RunsWorld;

const leaks = (text: string) => Object.entries(SECRET_FORMS).filter(([, f]) => f(SECRET).length >= 6 && text.includes(f(SECRET))).map(([n]) => n);
const click = (user: string, ts: string, actionId: string, value?: string) => w.t.ws.click(user, { channel: INC, ts }, actionId, value === undefined ? {} : { value });
const stepState = async (stepId: string) => (await w.t.ops.runs.runs.getStep(1, stepId))?.state;
const files = () => w.t.ws.state.data.files.filter((f) => f.name === 'INC-1-postmortem.md' && f.content !== undefined);
const content = (f: { content?: string }) => Buffer.from(f.content ?? '', 'base64').toString('utf8');

describe.skipIf(!hasDocker)('postmortem draft and follow-ups from the incident thread', () => {
  beforeAll(async () => {
    w = await startRunsWorld({ file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } } });
  }, 90_000);
  afterAll(() => w?.stop());

  it('lists every command with actor, approver and exit code, in order, and nothing secret', async () => {
    const { t } = w;
    const card = await openIncident(t, 'open P1 Redis caído <b>#1</b>');
    await t.ws.slash('U0BOB', INC, 'ack', { threadTs: card.ts });
    const started = await t.ws.slash('U0ALICE', INC, 'run redis-down pattern=oom', { command: '/runbook', threadTs: card.ts });
    expect(started.json?.text).toMatch(/Started \*Redis caído\* \(run 1\)/);
    const run = await waitFor(() => runCardOf(t, card.ts));
    for (const [user, step, end] of [['U0CAROL', 'ping', 'succeeded'], ['U0ALICE', 'grep', 'failed'], ['U0CAROL', 'leak', 'succeeded']] as const) {
      await click(user, run.ts, 'run.step.run', `1:${step}`);
      await waitFor(async () => (await stepState(step)) === end, 20_000);
    }
    await t.ws.slash('U0ALICE', INC, 'update Restarting redis, `rm -rf` nothing', { threadTs: card.ts });
    // The dangerous restart: Alice confirms, Bob approves.
    await click('U0ALICE', run.ts, 'run.step.run', '1:restart');
    const modal = await waitFor(() => t.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm').at(-1));
    await t.ws.submitView('U0ALICE', modal.id, {});
    const request = await waitFor(() => threadOf(t, card.ts).find((m) => m.text.startsWith('Approval needed')));
    const approvalId = (request.blocks ?? []).find((b: any) => b.type === 'actions').elements[0].value;
    await click('U0BOB', request.ts, 'run.approve', approvalId);
    await waitFor(async () => (await stepState('restart')) === 'succeeded', 30_000);

    const added = await t.ws.slash('U0ALICE', INC, 'followup Add a Redis memory alert @carol', { threadTs: card.ts });
    expect(added.json?.text).toMatch(/Follow-up recorded on \*INC-1\* for <@U0CAROL>/);
    await t.ws.slash('U0ALICE', INC, 'followup INC-1 Write down why the grep failed', { threadTs: card.ts });
    await t.settle();
    const onCard = visibleText(t.messages(INC).find((m) => m.ts === card.ts)!);
    expect(onCard).toContain('*Follow-ups* (2 open)');
    expect(onCard).toMatch(/Add a Redis memory alert — <@U0CAROL>/);

    await t.ws.slash('U0ALICE', INC, 'resolve restarted redis', { threadTs: card.ts });
    await t.settle();
    const resolved = t.messages(INC).find((m) => m.ts === card.ts)!;
    expect(JSON.stringify(resolved.blocks)).toContain('"action_id":"incident.postmortem"');
    await click('U0DAVE', card.ts, 'incident.postmortem', '1');
    await waitFor(() => files().length === 1, 20_000);
    await t.settle();
    const file = files()[0];
    const md = content(file);
    const shared = threadOf(t, card.ts).find((m) => (m as any).files?.some((f: any) => f.id === file.id));
    expect(shared?.text).toMatch(/Postmortem draft of \*INC-1\*, asked for by <@U0DAVE>/);

    // Every attempt in the order it ran, with who ran it, who approved it and its exit code.
    const attempts = (await Promise.all(['ping', 'grep', 'leak', 'restart'].map((s) => t.ops.runs.runs.attempts(1, s)))).flat();
    expect(attempts).toHaveLength(4);
    const lines = md.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const ping = at(/`ping` Verificar estado Redis · run 1 `redis-down` · on `docker:blatam\/redis` · by @carol · \*\*succeeded, exit 0/);
    const grep = at(/`grep` Buscar oom · run 1 `redis-down` · on `docker:blatam\/redis` · by @alice · \*\*failed, exit 1/);
    const leak = at(/`leak` Ver configuración .* by @carol · \*\*succeeded, exit 0/);
    const update = at(/update · @alice: Restarting redis, \\`rm -rf\\` nothing/);
    const restart = at(/`restart` Reiniciar Redis .* by @alice, approved by @bob · \*\*succeeded/);
    expect([ping, grep, leak, update, restart].every((n) => n > 0)).toBe(true);
    expect([ping, grep, leak, update, restart]).toEqual([ping, grep, leak, update, restart].sort((a, b) => a - b));
    for (const a of attempts) expect(md).toContain(a.command.length > 40 ? a.command.slice(0, 40) : a.command);
    expect(lines[restart + 1]).toContain('docker restart blatam/redis');
    expect(md).toContain('requirepass [REDACTED]');
    expect(leaks(md)).toEqual([]);
    // The rest of the draft: impact, key times, people, follow-ups, the team's headings; the title escaped.
    expect(md).toContain('# Postmortem draft: INC-1 Redis caído \\<b\\>\\#1\\</b\\>');
    expect(md).toMatch(/\| Time to acknowledge \(MTTA\) \| \d+s \|/);
    expect(md).toMatch(/\| Time to mitigate \| not recorded \|/);
    expect(md).toMatch(/- @bob \(U0BOB\): acknowledged, approved steps/);
    expect(md).toMatch(/- \[ \] Add a Redis memory alert — owner: @carol/);
    expect(md).toMatch(/## Causes[\s\S]*## What went well[\s\S]*## Lessons/);

    // A redelivery after an upload that reached Slack finds the file and posts nothing more.
    const row = await t.ops.database.db.selectFrom('effects').selectAll().where('incident_id', '=', 1).execute();
    const eff = row.find((r) => JSON.parse(r.payload).type === 'postmortem')!;
    const incident = await t.ops.incidents.get(1);
    const again = { id: Number(eff.id), incidentId: 1, target: 'chat' as const, payload: JSON.parse(eff.payload), state: 'pending' as const, attempts: 1, nextAttemptAt: new Date(), lastError: null, createdAt: new Date(Number(eff.created_at)) };
    await (t.ops.dispatcher as any).deps.chat.deliver(again, incident);
    expect(files()).toHaveLength(1);
    expect(incidentKey(incident.id)).toBe('INC-1');
  }, 120_000);

  it('marks a follow-up done from the card, by anyone in the channel, and the next draft says who', async () => {
    const { t } = w;
    const card = t.messages(INC).find((m) => m.text.startsWith('INC-1 '))!;
    await t.ws.slash('U0ALICE', INC, 'reopen', { threadTs: card.ts });
    await t.settle();
    const open = await t.ops.database.db.selectFrom('follow_ups').selectAll().orderBy('id').execute();
    // A tampered value naming no follow-up of this incident changes nothing.
    await click('U0DAVE', card.ts, 'followup.done', '999');
    await waitFor(() => t.ws.state.data.ephemerals.some((e) => e.ephemeral_for === 'U0DAVE' && /does not belong to this incident/.test(e.text)));
    await click('U0DAVE', card.ts, 'followup.done', String(open[0].id));
    await t.settle();
    await waitFor(() => !visibleText(t.messages(INC).find((m) => m.ts === card.ts)!).includes('Add a Redis memory alert'));
    expect(visibleText(t.messages(INC).find((m) => m.ts === card.ts)!)).toContain('*Follow-ups* (1 open)');
    const events = await t.ops.store.events(1);
    expect(events.filter((e) => e.kind === 'followup').map((e) => [e.actor, e.data?.action])).toEqual([['U0ALICE', 'added'], ['U0ALICE', 'added'], ['U0DAVE', 'done']]);
    const r = await t.ws.slash('U0CAROL', GEN, 'postmortem INC-1');
    expect(r.json?.text).toMatch(/will be posted as a file/);
    await waitFor(() => files().length === 2, 20_000);
    const md = content(files()[1]);
    expect(md).toMatch(/- \[x\] Add a Redis memory alert — owner: @carol \(done, @dave\)/);
    expect(md).toMatch(/- \[ \] Write down why the grep failed/);
    expect(md).toMatch(/followup · @dave: Follow-up done: Add a Redis memory alert/);
    // The handoff lists the incident's open follow-ups, not the done one.
    const handoff = visibleText((await t.ws.slash('U0BOB', GEN, '', { command: '/handoff' })).json);
    expect(handoff).toContain('Follow-up: Write down why the grep failed');
    expect(handoff).not.toContain('Add a Redis memory alert');
    // Bad input: a clear answer and nothing stored.
    const bad = await t.ws.slash('U0ALICE', INC, 'followup @carol', { threadTs: card.ts });
    expect(bad.json?.text).toMatch(/Say what needs doing/);
    const nobody = await t.ws.slash('U0ALICE', INC, 'followup Fix it @nobody', { threadTs: card.ts });
    expect(nobody.json?.text).toMatch(/No one person here is called "nobody"/);
    expect(await t.ops.database.db.selectFrom('follow_ups').selectAll().execute()).toHaveLength(2);
  }, 60_000);
});
