/** `/runbook list [broken] [filter]`, `/runbook run [INC-n] <id> [name=value…]`, `/runbook schedule`, `/runbook help`. */
import type { App, RespondArguments } from '@slack/bolt';
import { runbookCommand } from '#commands/runbook.js';
import { parseSlash } from '#commands/parse.js';
import { badCommandText, usageOf } from '#slack/blocks/usage.js';
import { CodedError, ErrorCode, isCoded } from '#core/errors.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { paramsModal } from '#slack/blocks/run-views.js';
import { runbookList } from '#slack/blocks/runbook-list.js';
import type { SlackDeps } from '#slack/deps.js';
import { errorReply } from '../reply.js';
import { code } from '#slack/blocks/mrkdwn.js';
import { said } from '#core/said.js';
import { nearest } from '#core/nearest.js';
import { withinAckWindow } from '../ack.js';
import { arrivedAt } from '../once.js';
import { scheduleList } from '#slack/blocks/schedule-list.js';

/** `a=1 b=two` -> { a: '1', b: 'two' }; anything else is a clear error. */
export function parseAssignments(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of (text ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^([a-z_][a-z0-9_]*)=(.*)$/.exec(token);
    if (!m) throw new CodedError(ErrorCode.BadInput, `"${said(token)}" is not name=value. Values with spaces go in the form: run the command without them.`);
    if (m[1] in out) throw new CodedError(ErrorCode.BadInput, `Parameter ${m[1]} is given twice.`);
    out[m[1]] = m[2];
  }
  return out;
}

/** "Did you mean …" for a runbook id, by its whole id or by its last part (`dashboard-down`). */
function guessRunbook(typed: string, ids: readonly string[]): string {
  const last = (id: string) => (id.split('/').at(-1) ?? id).toLowerCase();
  const byLast = (name: string | undefined) => (name ? ids.filter((id) => last(id) === name.toLowerCase()) : []);
  const exact = byLast(last(typed));
  const near = byLast(nearest(last(typed), ids.map(last)));
  const whole = nearest(typed, ids);
  const guesses = whole ? [whole] : exact.length ? exact : near;
  if (!guesses.length || guesses.length > 5) return '';
  return ` Did you mean ${guesses.map((g) => `\`${g}\``).join(' or ')}?`;
}

export function registerRunbookCommand(app: App, d: SlackDeps) {
  const r = d.runs;
  if (!r) return;
  app.command(runbookCommand.name, async ({ command, ack, respond, client, body, context }) => {
    const parsed = parseSlash(runbookCommand, command.text ?? '');
    if (!parsed.ok) return void (await ack({ response_type: 'ephemeral', text: badCommandText(parsed) }));
    if ('form' in parsed) return void (await ack({ response_type: 'ephemeral', text: usageOf(runbookCommand) }));
    const user = command.user_id;

    if (parsed.name === 'help') return void (await ack({ response_type: 'ephemeral', text: `*opsroom runbooks*\n${usageOf(runbookCommand)}` }));
    if (parsed.name === 'list') {
      const typed = (parsed.args.filter as string | undefined)?.toLowerCase();
      // `/runbook list broken [filter]`: only the runbooks the last verify found broken.
      const brokenOnly = /^broken(?:\s|$)/.test(typed ?? '');
      const filter = brokenOnly ? typed!.slice('broken'.length).trim() || undefined : typed;
      const matching = r.d.catalog().filter((rb) => !filter || [rb.id, rb.title, ...rb.match.keywords, ...rb.match.services].some((s) => s.toLowerCase().includes(filter)));
      const health = await r.freshness(matching.map((rb) => rb.id));
      const all = brokenOnly ? matching.filter((rb) => health.get(rb.id)?.startsWith('broken')) : matching;
      if (brokenOnly && !all.length) return void (await ack({ response_type: 'ephemeral', text: `No runbook${filter ? ` matching \`${filter}\`` : ''} is broken as of the last verify.` }));
      const items = all.map((rb) => ({ id: rb.id, title: rb.title, keywords: rb.match.keywords, freshness: health.get(rb.id) }));
      return void (await ack({ response_type: 'ephemeral', ...runbookList(items, filter) } as RespondArguments));
    }
    if (parsed.name === 'schedule') return void (await ack({ response_type: 'ephemeral', ...scheduleList(d.routines?.upcoming() ?? []) } as RespondArguments));

    // run
    let incident: Incident | undefined;
    let acked = false;
    const fail = async (e: unknown): Promise<RespondArguments> => {
      if (isCoded(e, ErrorCode.Forbidden)) await r.refused(user, incident?.id, `start runbook ${String(parsed.args.runbook)}`, e.message);
      return errorReply(d.log, '/runbook run failed', e);
    };
    try {
      const threadTs = (body as { thread_ts?: string }).thread_ts;
      incident = parsed.incidentId !== undefined ? await d.incidents.get(parsed.incidentId) : threadTs ? await d.store.findByThread(command.channel_id, threadTs) : undefined;
      const rb = r.runbook(String(parsed.args.runbook));
      if (!rb) throw new CodedError(ErrorCode.NotFound, `There is no runbook ${code(String(parsed.args.runbook))}.${guessRunbook(String(parsed.args.runbook), r.d.catalog().map((x) => x.id))} \`/runbook list\` shows them.`);
      const given = parseAssignments(parsed.args.params as string | undefined);
      if (!incident && parsed.incidentId === undefined && d.routines) {
        // Outside an incident: a run in the system's operations channel, else where it was typed.
        const rt = d.routines;
        const channel = rt.channelFor(rb.id, command.channel_id);
        const work = rt.starter.start(rb.id, user, channel, given).then(
          (run): RespondArguments => ({ response_type: 'ephemeral', text: `Started *${rb.title}* (run ${run.id}) in <#${channel}>.` }),
          fail,
        );
        return void (await withinAckWindow(work, ack, respond, arrivedAt(context)));
      }
      if (!incident) throw new CodedError(ErrorCode.BadInput, 'Say which incident: `/runbook run INC-7 <runbook> [name=value…]`, or run it in the incident\'s thread.');
      if (r.missingParams(rb, given, incident).length) {
        await r.mayStart(incident, user);
        await ack();
        acked = true;
        await client.views.open({ trigger_id: command.trigger_id, view: paramsModal({ incidentId: incident.id, runbookId: rb.id }, rb.title, rb.params, given) });
        return;
      }
      const found = incident;
      const work = r.start(found, rb.id, given, user).then(
        (run): RespondArguments => ({ response_type: 'ephemeral', text: `Started *${rb.title}* (run ${run.id}) in the thread of *${incidentKey(found.id)}*.` }),
        fail,
      );
      await withinAckWindow(work, ack, respond, arrivedAt(context));
    } catch (e) {
      const answer = await fail(e);
      await (acked ? respond(answer) : ack(answer));
    }
  });
}
