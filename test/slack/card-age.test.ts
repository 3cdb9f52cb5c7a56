/** The card through the real app: Age as a client-rendered relative date, the missed response target, and "no update yet". */
import { afterEach, describe, expect, it } from 'vitest';
import { announceMissedResponses } from '#core/incidents/response-due.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { Actions, Inputs } from '#slack/ids.js';
import { ManualClock } from '../support/clock.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;
afterEach(() => t?.close());

const card = () => t.messages(INC)[0];
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

describe('the incident card over time', () => {
  it('keeps Age relative, marks a missed response target when the loop runs, and says when an update was posted', async () => {
    const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
    t = await startLocal({ clock });
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await t.settle();
    const opened = visibleText(card());
    const created = unix(new Date('2026-03-02T10:00:00Z'));
    // Age is rendered by each Slack client from the date, so it does not freeze at the last render.
    expect(opened).toMatch(new RegExp(`\\*Age\\*\\nopened <!date\\^${created}\\^\\{ago\\}\\|[^>]+>`));
    expect(opened).toContain('No status update yet');
    expect(opened).not.toContain('Last update');
    expect(opened).toMatch(/Respond by <!date\^\d+\^\{time\}\|[^>]+> \(5m\)/);
    expect(opened).not.toContain('Response target missed');

    // Before the target nothing is announced; past it, the reminders loop's check redraws the card.
    clock.advance(4 * 60_000);
    const check = () => announceMissedResponses({ store: t.ops.store, clock, severities: DEFAULT_SEVERITIES, onEffects: () => void t.ops.dispatcher.kick() });
    expect(await check()).toEqual([]);
    await t.settle();
    expect(visibleText(card())).not.toContain('Response target missed');
    clock.advance(2 * 60_000);
    expect(await check()).toEqual([1]);
    await t.settle();
    const late = visibleText(await waitFor(() => (visibleText(card()).includes('Response target missed') ? card() : undefined)));
    expect(late).toContain(':warning: *Response target missed*: not acknowledged within 5m');
    expect(late).not.toContain('Respond by');
    expect(late).toContain('No status update yet');
    expect(t.messages(INC, card().ts).filter((m) => /Not acknowledged within 5m, the response target of P1\. <@U0ALICE>/.test(m.text ?? ''))).toHaveLength(1);
    expect(await check()).toEqual([]);

    // An update replaces "No status update yet" with its relative time.
    clock.advance(60_000);
    await t.ws.click('U0BOB', { channel: INC, ts: card().ts }, Actions.postUpdate);
    const form = await waitFor(() => t.ws.state.data.views.find((v) => v.user === 'U0BOB'));
    expect((await t.ws.submitView('U0BOB', form.id, { [Inputs.status]: 'identified', [Inputs.text]: 'Rolled back the deploy' })).errors).toBeUndefined();
    await t.settle();
    const updated = visibleText(await waitFor(() => (visibleText(card()).includes('Last update') ? card() : undefined)));
    expect(updated).toMatch(new RegExp(`Last update <!date\\^${created + 7 * 60}\\^\\{ago\\}\\|[^>]+>`));
    expect(updated).not.toContain('No status update yet');
    expect(updated).toMatch(new RegExp(`\\*Age\\*\\nopened <!date\\^${created}\\^\\{ago\\}`));
  });
});
