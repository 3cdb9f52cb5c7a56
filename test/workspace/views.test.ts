// Modals: views.open/update/push with trigger ids, view_submission and response_action, view_closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkspaceWithApp, waitFor, type Wired } from '../support/slack-app.js';

let w: Wired;
const submissions: any[] = [];
const closed: any[] = [];
const delayOpenMs = 0;

const text = (t: string) => ({ type: 'plain_text' as const, text: t });
const opt = (v: string) => ({ text: text(v), value: v });
const form = {
  type: 'modal' as const, callback_id: 'open_incident', title: text('Open incident'), submit: text('Open'), close: text('Cancel'), notify_on_close: true,
  private_metadata: 'meta-1',
  blocks: [
    { type: 'input', block_id: 'title', label: text('Title'), element: { type: 'plain_text_input', action_id: 'v' } },
    { type: 'input', block_id: 'sev', label: text('Severity'), element: { type: 'static_select', action_id: 'v', options: ['P1', 'P2'].map(opt) } },
    { type: 'input', block_id: 'cmdr', label: text('Commander'), element: { type: 'users_select', action_id: 'v' } },
    { type: 'input', block_id: 'notify', optional: true, label: text('Notify'), element: { type: 'checkboxes', action_id: 'v', options: ['pager', 'email'].map(opt) } },
    { type: 'input', block_id: 'status', label: text('Status'), element: { type: 'radio_buttons', action_id: 'v', options: ['investigating', 'identified'].map(opt), initial_option: opt('investigating') } },
    { type: 'actions', block_id: 'more', elements: [{ type: 'button', action_id: 'details', text: text('More details') }] },
  ],
};

beforeAll(async () => {
  w = await startWorkspaceWithApp((app) => {
    app.command('/incident', async ({ ack, client, body }) => {
      await ack();
      if (delayOpenMs) await new Promise((r) => setTimeout(r, delayOpenMs));
      await client.views.open({ trigger_id: body.trigger_id, view: form }).catch((e) => submissions.push({ openError: e.data.error }));
    });
    app.action('details', async ({ ack, body, client }) => {
      await ack();
      await client.views.push({ trigger_id: (body as any).trigger_id, view: { type: 'modal', title: text('Details'), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'pushed' } }] } });
    });
    app.view('open_incident', async ({ ack, view, body }) => {
      submissions.push({ values: view.state.values, metadata: view.private_metadata, user: body.user.id });
      const title = view.state.values.title.v.value ?? '';
      if (title.length < 5) return ack({ response_action: 'errors', errors: { title: 'Title is too short' } });
      if (title === 'update me') return ack({ response_action: 'update', view: { type: 'modal', title: text('Opened'), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'INC-1 opened' } }] } });
      await ack();
    });
    app.view({ callback_id: 'open_incident', type: 'view_closed' }, async ({ ack, body }) => {
      await ack();
      closed.push(body);
    });
  });
});
afterAll(() => w.close());

async function openForm(user = 'U0ALICE') {
  const before = w.ws.state.data.stacks[user]?.at(-1);
  await w.ws.slash(user, 'C0INCIDENTS', '');
  return waitFor(() => {
    const top = w.ws.state.data.stacks[user]?.at(-1);
    return top !== before && top;
  });
}

describe('modals', () => {
  it('views.open with the slash trigger opens a modal for that user', async () => {
    const id = await openForm();
    expect(w.ws.state.view(id)).toMatchObject({ title: { text: 'Open incident' }, user: 'U0ALICE', callback_id: 'open_incident', root_view_id: id });
  });

  it('a trigger_id works once and expires after 3 seconds', async () => {
    const t = w.ws.triggers.issue('U0BOB');
    await w.app.client.views.open({ trigger_id: t, view: form });
    await expect(w.app.client.views.open({ trigger_id: t, view: form })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    await expect(w.app.client.views.open({ trigger_id: 'made-up', view: form })).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    w.ws.triggers.ttlMs = 50;
    try {
      const late = w.ws.triggers.issue('U0BOB');
      await new Promise((r) => setTimeout(r, 80));
      await expect(w.app.client.views.open({ trigger_id: late, view: form })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    } finally {
      w.ws.triggers.ttlMs = 3000;
    }
  });

  it('an invalid view is rejected with invalid_arguments naming the field', async () => {
    const t = w.ws.triggers.issue('U0BOB');
    const bad = { ...form, title: text('A title that is far too long for Slack') };
    await expect(w.app.client.views.open({ trigger_id: t, view: bad })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] } },
    });
  });

  it('the client refuses to submit empty required inputs, as Slack does', async () => {
    const id = await openForm('U0CAROL');
    const before = submissions.length;
    const r = await w.ws.submitView('U0CAROL', id, { title: 'Checkout down' });
    expect(r.clientErrors).toEqual({ sev: 'Please complete this required field.', cmdr: 'Please complete this required field.' });
    expect(submissions.length).toBe(before);
  });

  it('submits typed state values; response_action errors keep the modal with the error', async () => {
    const id = await openForm();
    const r = await w.ws.submitView('U0ALICE', id, { title: 'abc', sev: 'P1', cmdr: 'U0BOB', notify: ['pager', 'email'] });
    expect(r).toMatchObject({ status: 200, responseAction: 'errors', errors: { title: 'Title is too short' } });
    expect(submissions.at(-1)).toEqual({
      user: 'U0ALICE', metadata: 'meta-1',
      values: {
        title: { v: { type: 'plain_text_input', value: 'abc' } },
        sev: { v: { type: 'static_select', selected_option: opt('P1') } },
        cmdr: { v: { type: 'users_select', selected_user: 'U0BOB' } },
        notify: { v: { type: 'checkboxes', selected_options: [opt('pager'), opt('email')] } },
        status: { v: { type: 'radio_buttons', selected_option: opt('investigating') } },
      },
    });
    expect(w.ws.state.data.viewErrors[id]).toEqual({ title: 'Title is too short' });
    expect(w.ws.state.data.stacks.U0ALICE).toEqual([id]);
    const ok = await w.ws.submitView('U0ALICE', id, { title: 'Checkout down', sev: 'P2', cmdr: 'U0BOB' });
    expect(ok).toMatchObject({ status: 200, responseAction: undefined });
    expect(w.ws.state.data.stacks.U0ALICE).toEqual([]);
  });

  it('response_action update replaces the view in place', async () => {
    const id = await openForm();
    await w.ws.submitView('U0ALICE', id, { title: 'update me', sev: 'P1', cmdr: 'U0ALICE' });
    expect(w.ws.state.view(id)).toMatchObject({ title: { text: 'Opened' } });
    expect(w.ws.state.data.stacks.U0ALICE).toEqual([id]);
  });

  it('a button in a modal pushes a second view; closing pops it; cancel sends view_closed', async () => {
    const id = await openForm('U0DAVE');
    await w.ws.click('U0DAVE', { viewId: id }, 'details');
    const stack = await waitFor(() => w.ws.state.data.stacks.U0DAVE.length === 2 && w.ws.state.data.stacks.U0DAVE);
    expect(w.ws.state.view(stack[1])).toMatchObject({ previous_view_id: id, root_view_id: id });
    await w.ws.closeView('U0DAVE', stack[1]);
    expect(w.ws.state.data.stacks.U0DAVE).toEqual([id]);
    const r = await w.ws.closeView('U0DAVE', id);
    expect(r?.status).toBe(200);
    expect(closed.at(-1)).toMatchObject({ type: 'view_closed', user: { id: 'U0DAVE' }, view: { id } });
  });

  it('views.update checks the hash', async () => {
    const id = await openForm('U0BOB');
    const v = w.ws.state.view(id)!;
    await expect(w.app.client.views.update({ view_id: id, hash: 'stale', view: form })).rejects.toMatchObject({ data: { error: 'hash_conflict' } });
    const r = await w.app.client.views.update({ view_id: id, hash: v.hash, view: { ...form, title: text('Renamed') } });
    expect(r.view?.title?.text).toBe('Renamed');
    await expect(w.app.client.views.update({ view_id: 'V0NOPE', view: form })).rejects.toMatchObject({ data: { error: 'not_found' } });
  });
});
