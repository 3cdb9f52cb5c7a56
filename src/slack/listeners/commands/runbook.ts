/** `/runbook list [broken] [filter]`, `/runbook run [INC-n] <id> [name=value…]`, `/runbook schedule`, `/runbook help`. */
import type { App, RespondArguments, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { runbookCommand } from '#commands/runbook.js';
import { parseSlash } from '#commands/parse.js';
import type { ArgsOf, SubcommandName } from '#commands/types.js';
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
function parseAssignments(text: string | undefined): Record<string, string> {
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

type Command = typeof runbookCommand;

/** One request to `/runbook`: what every handler may use. */
interface Call {
  d: SlackDeps;
  r: NonNullable<SlackDeps['runs']>;
  command: SlashCommand;
  incidentId?: number;
  threadTs?: string;
  client: WebClient;
  ack: (r?: RespondArguments) => Promise<void>;
  respond: (r: RespondArguments) => Promise<unknown>;
  arrived: number;
}

type Handler<A = Record<string, unknown>> = (c: Call, args: A) => Promise<void>;
const answer = (c: Call, r: Omit<RespondArguments, 'response_type'>) => c.ack({ response_type: 'ephemeral', ...r } as RespondArguments);

/** One handler per subcommand, taking its parsed arguments: a missing or unknown one does not compile. */
const handlers: { [K in SubcommandName<Command>]: Handler<ArgsOf<Command, K>> } = {
  help: (c) => answer(c, { text: `*opsroom runbooks*\n${usageOf(runbookCommand)}` }),
  async list(c, a) {
    const typed = a.filter?.toLowerCase();
    // `/runbook list broken [filter]`: only the runbooks the last verify found broken.
    const brokenOnly = /^broken(?:\s|$)/.test(typed ?? '');
    const filter = brokenOnly ? typed!.slice('broken'.length).trim() || undefined : typed;
    const matching = c.r.d.catalog().filter((rb) => !filter || [rb.id, rb.title, ...rb.match.keywords, ...rb.match.services].some((s) => s.toLowerCase().includes(filter)));
    const health = await c.r.freshness(matching.map((rb) => rb.id));
    const all = brokenOnly ? matching.filter((rb) => health.get(rb.id)?.startsWith('broken')) : matching;
    if (brokenOnly && !all.length) return answer(c, { text: `No runbook${filter ? ` matching \`${filter}\`` : ''} is broken as of the last verify.` });
    const items = all.map((rb) => ({ id: rb.id, title: rb.title, keywords: rb.match.keywords, freshness: health.get(rb.id) }));
    return answer(c, runbookList(items, filter));
  },
  schedule: (c) => answer(c, scheduleList(c.d.routines?.upcoming() ?? [])),
  run: runRunbook,
};

/** `/runbook run`: in the incident (a form when parameters are missing), else as a routine run. */
async function runRunbook(c: Call, a: ArgsOf<Command, 'run'>): Promise<void> {
  const { d, r, command } = c;
  const user = command.user_id;
  let incident: Incident | undefined;
  let acked = false;
  const fail = async (e: unknown): Promise<RespondArguments> => {
    if (isCoded(e, ErrorCode.Forbidden)) await r.refused(user, incident?.id, `start runbook ${a.runbook}`, e.message);
    return errorReply(d.log, '/runbook run failed', e);
  };
  try {
    incident = c.incidentId !== undefined ? await d.incidents.get(c.incidentId) : c.threadTs ? await d.store.findByThread(command.channel_id, c.threadTs) : undefined;
    const rb = r.runbook(a.runbook);
    if (!rb) throw new CodedError(ErrorCode.NotFound, `There is no runbook ${code(a.runbook)}.${guessRunbook(a.runbook, r.d.catalog().map((x) => x.id))} \`/runbook list\` shows them.`);
    const given = parseAssignments(a.params);
    if (!incident && c.incidentId === undefined && d.routines) {
      // Outside an incident: a run in the system's operations channel, else where it was typed.
      const rt = d.routines;
      const channel = rt.channelFor(rb.id, command.channel_id);
      const work = rt.starter.start(rb.id, user, channel, given).then(
        (run): RespondArguments => ({ response_type: 'ephemeral', text: `Started *${rb.title}* (run ${run.id}) in <#${channel}>.` }),
        fail,
      );
      return void (await withinAckWindow(work, c.ack, c.respond, c.arrived));
    }
    if (!incident) throw new CodedError(ErrorCode.BadInput, 'Say which incident: `/runbook run INC-7 <runbook> [name=value…]`, or run it in the incident\'s thread.');
    if (r.missingParams(rb, given, incident).length) {
      await r.mayStart(incident, user);
      await c.ack();
      acked = true;
      await c.client.views.open({ trigger_id: command.trigger_id, view: paramsModal({ incidentId: incident.id, runbookId: rb.id }, rb.title, rb.params, given) });
      return;
    }
    const found = incident;
    const work = r.start(found, rb.id, given, user).then(
      (run): RespondArguments => ({ response_type: 'ephemeral', text: `Started *${rb.title}* (run ${run.id}) in the thread of *${incidentKey(found.id)}*.` }),
      fail,
    );
    await withinAckWindow(work, c.ack, c.respond, c.arrived);
  } catch (e) {
    const reply = await fail(e);
    await (acked ? c.respond(reply) : c.ack(reply));
  }
}

export function registerRunbookCommand(app: App, d: SlackDeps) {
  const r = d.runs;
  if (!r) return;
  app.command(runbookCommand.name, async ({ command, ack, respond, client, body, context }) => {
    const parsed = parseSlash(runbookCommand, command.text ?? '');
    if (!parsed.ok) return void (await ack({ response_type: 'ephemeral', text: badCommandText(parsed) }));
    if ('form' in parsed) return void (await ack({ response_type: 'ephemeral', text: usageOf(runbookCommand) }));
    const call: Call = {
      d, r, command, incidentId: parsed.incidentId, threadTs: (body as { thread_ts?: string }).thread_ts, client, ack, respond, arrived: arrivedAt(context),
    };
    // The parser hands each subcommand the output of its own schema.
    await (handlers as unknown as Record<string, Handler>)[parsed.name](call, parsed.args);
  });
}
