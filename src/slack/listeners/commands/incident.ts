import type { App, RespondArguments, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { incidentCommand } from '#commands/incident.js';
import type { ArgsOf, SubcommandName } from '#commands/types.js';
import { parseSlash, type Choices } from '#commands/parse.js';
import { badCommandText, usageOf } from '#slack/blocks/usage.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import { said } from '#core/said.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import type { Status } from '#core/incidents/status.js';
import { systemFor } from '#core/systems/incidents.js';
import type { SystemRouting } from '#core/systems/routing.js';
import { openModal } from '#slack/blocks/modals.js';
import { code } from '#slack/blocks/mrkdwn.js';
import { incidentList, incidentShow } from '#slack/blocks/views.js';
import type { SlackDeps } from '#slack/deps.js';
import { permalink, permalinks } from '#slack/permalinks.js';
import { findUser } from '#slack/users.js';
import { withinAckWindow } from '../ack.js';
import { arrivedAt } from '../once.js';
import { errorReply } from '../reply.js';

type Reply = string | RespondArguments;
type Handler<A = Record<string, unknown>> = (deps: SlackDeps, cmd: SlashCommand, args: A, id: () => Promise<number>, client: WebClient, arrived: number) => Promise<Reply>;

/**
 * How long the answer to `/incident open` waits for the card (posted by the outbox, usually tens of
 * ms later) and its permalink: at most `ms`, and never past `byMs` after the request arrived, so
 * the answer stays inside the ack budget (2 s) and well inside Slack's 3 s. Past that it names the
 * channel only. Tests on a loaded machine may widen it.
 */
export const cardWait = { ms: 500, byMs: 1500 };

/** " <permalink|Open the thread>" when the card is posted and linked within the budget, else "". */
async function threadLink(d: SlackDeps, client: WebClient, i: Incident, arrived: number): Promise<string> {
  const ms = Math.min(cardWait.ms, cardWait.byMs - (Date.now() - arrived));
  if (ms <= 0) return '';
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => { timer = setTimeout(() => r(null), ms); });
  const link = (async () => {
    const ts = i.cardTs ?? (await d.notifier.cards.wait(i.id, ms));
    return ts ? permalink(client, i.channel, ts) : null;
  })();
  const url = await Promise.race([link, late]);
  clearTimeout(timer);
  return url ? ` <${url}|Open the thread>` : '';
}

const userId = (mention: string) => /^<@([UW][A-Z0-9]+)/.exec(mention)?.[1];

type Command = typeof incidentCommand;
/** One handler per subcommand, taking its parsed arguments: a missing or unknown one does not compile. */
const handlers: { [K in SubcommandName<Command>]: Handler<ArgsOf<Command, K>> } = {
  async open(d, cmd, a, _id, client, arrived) {
    const { incident, duplicate } = await d.incidents.open({
      severity: String(a.severity), title: String(a.title), openedBy: cmd.user_id, sourceChannel: cmd.channel_id,
      system: (a.system as string | undefined) ?? null,
    });
    const key = incidentKey(incident.id);
    const level = d.incidents.routing?.severityLabel(incident.severity, incident.system) ?? incident.severity;
    const link = await threadLink(d, client, incident, arrived);
    return duplicate
      ? `You opened *${key}* less than a minute ago: <#${incident.channel}>. Nothing new was opened.${link}`
      : `:rotating_light: Opened *${key}* (${level}${incident.system ? `, ${incident.system}` : ''}) in <#${incident.channel}>. You are the commander.${link}`;
  },
  async system(d, cmd, a, id) {
    const i = await d.incidents.moveSystem(await id(), cmd.user_id, String(a.system));
    const home = d.incidents.routing?.channelFor(i.system) ?? i.channel;
    const moved = home !== i.channel ? ` Its thread stays in <#${i.channel}>; <#${home}> was told.` : '';
    return `*${incidentKey(i.id)}* is now in ${i.system}.${moved}`;
  },
  async update(d, cmd, a, id) {
    await d.incidents.postUpdate(await id(), cmd.user_id, String(a.text));
    return 'Update posted.';
  },
  async ack(d, cmd, _a, id) {
    const i = await d.incidents.acknowledge(await id(), cmd.user_id);
    return `Acknowledged *${incidentKey(i.id)}*.`;
  },
  async resolve(d, cmd, a, id) {
    const i = await d.incidents.resolve(await id(), cmd.user_id, (a.summary as string | undefined) ?? null);
    return `Resolved *${incidentKey(i.id)}*.`;
  },
  async reopen(d, cmd, _a, id) {
    const i = await d.incidents.reopen(await id(), cmd.user_id);
    return `Reopened *${incidentKey(i.id)}*.`;
  },
  async severity(d, cmd, a, id) {
    const i = await d.incidents.setSeverity(await id(), cmd.user_id, String(a.severity));
    return `*${incidentKey(i.id)}* is now ${i.severity}.`;
  },
  async assign(d, cmd, a, id, client) {
    const typed = String(a.user);
    const user = userId(typed) ?? (await findUser(client, typed));
    if (!user) throw new CodedError(ErrorCode.BadInput, `No one person here is called "${said(typed.replace(/^@/, ''))}". Mention the new commander, e.g. \`/incident assign @alice\`.`);
    const i = await d.incidents.assign(await id(), cmd.user_id, user);
    return `<@${i.commander}> is now the commander of *${incidentKey(i.id)}*.`;
  },
  async status(d, cmd, a, id) {
    const i = await d.incidents.setStatus(await id(), cmd.user_id, a.status as Status);
    return `*${incidentKey(i.id)}* is now ${i.status}.`;
  },
  async list(d, _cmd, a, _id, client) {
    const r = d.incidents.routing;
    const system = a.system ? systemFor(r, String(a.system)) : null;
    const open = (await d.store.listOpen()).filter((i) => !system || i.system === system);
    const links = await permalinks(client, open.map((i) => ({ channel: i.channel, ts: i.cardTs })));
    return { response_type: 'ephemeral', ...incidentList(open, d.clock.now(), { system, links, levelName: (i) => r?.severityLabel(i.severity, i.system) ?? i.severity }) };
  },
  async show(d, _cmd, a, id) {
    const incident = await d.incidents.get(await id());
    const card = await d.notifier.renderCard(incident);
    return { response_type: 'ephemeral', ...incidentShow(incident, card, await d.store.events(incident.id), Number(a.page ?? 1)) };
  },
  async postmortem(d, cmd, _a, id) {
    if (!d.postmortems) throw new CodedError(ErrorCode.Unavailable, 'Postmortem drafts are not set up here.');
    const i = await d.postmortems.request(await id(), cmd.user_id);
    return `The postmortem draft of *${incidentKey(i.id)}* will be posted as a file in its thread.`;
  },
  async followup(d, cmd, a, id, client) {
    if (!d.followUps) throw new CodedError(ErrorCode.Unavailable, 'Follow-ups are not set up here.');
    const { text, owner } = await followUpArgs(String(a.text), client);
    const f = await d.followUps.add(await id(), cmd.user_id, text, owner);
    return `Follow-up recorded on *${incidentKey(f.incidentId)}*${f.owner ? ` for <@${f.owner}>` : ''}. It stays on the card until someone marks it done.`;
  },
  async help() {
    return `*opsroom* — incidents from Slack.\n${usageOf(incidentCommand)}`;
  },
};

/** A follow-up's text and its owner: a mention (or `@name` of someone here) as the last word. */
async function followUpArgs(typed: string, client: WebClient): Promise<{ text: string; owner: string | null }> {
  const words = typed.trim().split(/\s+/);
  const last = words.at(-1) ?? '';
  let owner: string | null = userId(last) ?? null;
  if (!owner && /^@[\w.-]+$/.test(last) && !/^@(here|channel|everyone)$/i.test(last)) {
    owner = (await findUser(client, last)) ?? null;
    if (!owner) throw new CodedError(ErrorCode.BadInput, `No one person here is called "${said(last.slice(1))}". Mention the owner, e.g. \`/incident followup Add an alert @alice\`.`);
  }
  const body = (owner ? words.slice(0, -1) : words).join(' ')
    // Other mentions read as names in the card, the postmortem and trackers.
    .replace(/<@([UW][A-Z0-9]+)\|([^>]*)>/g, '@$2').replace(/<@([UW][A-Z0-9]+)>/g, '@$1');
  if (!body.trim()) throw new CodedError(ErrorCode.BadInput, 'Say what needs doing, e.g. `/incident followup Add a Redis memory alert @alice`.');
  return { text: body, owner };
}

/** Words the grammar reads as a system, and severity names of several words (`Severidad 1`). */
function choicesOf(r: SystemRouting | undefined): Choices {
  if (!r) return {};
  const severity = r.names.flatMap((n) => Object.keys(r.config(n)?.severities ?? {}));
  return { system: r.names, severity };
}

/** The modal's system menu: every system, the one whose channel this is first chosen. */
const systemsOf = (r: SystemRouting | undefined, channel: string) => ({ names: r?.names ?? [], initial: r?.byChannel(channel) });

/** `/incident …`: parse, run the use-case, answer only the caller. */
export function registerIncidentCommand(app: App, d: SlackDeps) {
  // A retry of a command already handled never gets here (once.ts).
  app.command(incidentCommand.name, async ({ command, ack, respond, client, body, context }) => {
    const parsed = parseSlash(incidentCommand, command.text ?? '', choicesOf(d.incidents.routing));
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: badCommandText(parsed) });
      return;
    }
    if ('form' in parsed) {
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: openModal(d.incidents.severities, { channel: command.channel_id, user: command.user_id }, systemsOf(d.incidents.routing, command.channel_id)) });
      return;
    }
    const threadTs = (body as { thread_ts?: string }).thread_ts;
    const id = async () => {
      if (parsed.incidentId !== undefined) return parsed.incidentId;
      const inThread = threadTs ? await d.store.findByThread(command.channel_id, threadTs) : undefined;
      if (inThread) return inThread.id;
      throw new CodedError(ErrorCode.BadInput, `Say which incident: ${code(parsed.sub.usage.replace('[INC-n]', 'INC-7'))}, or run it in the incident's thread.`);
    };
    const arrived = arrivedAt(context);
    // The parser hands each subcommand the output of its own schema.
    const work = (handlers as unknown as Record<string, Handler>)[parsed.name](d, command, parsed.args, id, client, arrived).then(
      (r): RespondArguments => (typeof r === 'string' ? { response_type: 'ephemeral', text: r } : r),
      (e): RespondArguments => errorReply(d.log, 'slash command failed', e),
    );
    await withinAckWindow(work, ack, respond, arrived);
  });
}
