import type { App, RespondArguments } from '@slack/bolt';
import { oncallCommand } from '#commands/oncall.js';
import { didYouMean, parseSlash } from '#commands/parse.js';
import type { ArgsOf, SubcommandName } from '#commands/types.js';
import { badCommandText, usageOf } from '#slack/blocks/usage.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { OnCallEntry } from '#core/ports.js';
import type { RotationShift } from '#core/handoffs/rotation.js';
import { context, context as contextBlock, section, slackDate, type Block } from '#slack/blocks/kit.js';
import { userText } from '#slack/blocks/mrkdwn.js';
import { listBlocks } from '#slack/blocks/lists.js';
import type { SlackDeps } from '#slack/deps.js';
import { errorReply } from '../reply.js';
import { withinAckWindow } from '../ack.js';
import { arrivedAt } from '../once.js';

const line = (e: OnCallEntry, when: 'now' | 'next') => {
  const who = e.email ? `${e.user} (${e.email})` : e.user;
  const span = when === 'now'
    ? (e.end ? ` until ${slackDate(e.end)}` : '')
    : (e.start ? ` from ${slackDate(e.start)}` : '') + (e.end ? ` to ${slackDate(e.end)}` : '');
  return `• *${e.policy}* level ${e.level}: ${who}${span}`;
};

/** The answer to /oncall: now and next, per escalation policy and level. */
export function onCallBlocks(r: { now: OnCallEntry[]; next: OnCallEntry[] }, service?: string): { text: string; blocks: Block[] } {
  const scope = service ? ` for ${service}` : '';
  const now = r.now.length ? r.now.map((e) => line(e, 'now')) : ['_Nobody is on call right now._'];
  const next = r.next.length ? r.next.map((e) => line(e, 'next')) : ['_No next shift in the schedule._'];
  // Whole lines in as many sections as they need; past Slack's 50 blocks, a line says what is left.
  const more = (left: number) => `${left} more not shown: \`/oncall <service>\` shows one service.`;
  const list = listBlocks([{ title: `*On call now${scope}*`, items: now }, { title: '*Next*', items: next }], 49, more);
  return {
    text: `On call${scope} now: ${r.now.map((e) => e.user).join(', ') || 'nobody'}`,
    blocks: [...list, context(['From PagerDuty'])],
  };
}

/** Without PagerDuty: the handoff rotation of opsroom.yml (one rotation for every service). */
function rotationBlocks(r: { now: RotationShift; next: RotationShift }, service?: string): { text: string; blocks: Block[] } {
  const note = service ? ` (one rotation for every service, ${userText(service)} included)` : '';
  return {
    text: `On call now: <@${r.now.user}>`,
    blocks: [
      section(`*On call now*\n• <@${r.now.user}> until ${slackDate(r.now.end)}`),
      section(`*Next*\n• <@${r.next.user}> from ${slackDate(r.next.start)} to ${slackDate(r.next.end)}`),
      context([`From the handoff rotation in opsroom.yml${note}; PagerDuty is off, so nobody is paged.`]),
    ],
  };
}

type Command = typeof oncallCommand;
type Reply = (r?: RespondArguments) => Promise<void>;
type Handler<A = Record<string, unknown>> = (d: SlackDeps, args: A, ack: Reply, respond: (r: RespondArguments) => Promise<unknown>, arrived: number) => Promise<void>;

/** Subcommands a mistyped service was likely meant as. */
const hintFor = (service: string) => didYouMean(service, Object.keys(oncallCommand.subcommands).filter((s) => s !== 'show'), '/oncall ');

/** One handler per subcommand, taking its parsed arguments: a missing or unknown one does not compile. */
const handlers: { [K in SubcommandName<Command>]: Handler<ArgsOf<Command, K>> } = {
  help: (_d, _a, ack) => ack({ response_type: 'ephemeral', text: `*/oncall* — who is on call.\n${usageOf(oncallCommand)}` }),
  async show(d, a, ack, respond, arrived) {
    const service = a.service || undefined;
    const work = (async (): Promise<RespondArguments> => {
      const rotation = d.pager?.enabled ? undefined : d.rotation?.();
      if (rotation) {
        const r = rotationBlocks(rotation, service);
        const hint = service ? hintFor(service) : '';
        return { response_type: 'ephemeral', ...r, ...(hint ? { text: r.text + hint, blocks: [...r.blocks, contextBlock([hint.trim()])] } : {}) };
      }
      if (!d.pager) throw new CodedError(ErrorCode.Unavailable, 'PagerDuty is not configured.');
      return { response_type: 'ephemeral', ...onCallBlocks(await d.pager.onCall(service), service) };
    })().catch((e): RespondArguments => {
      const reply = errorReply(d.log, '/oncall failed', e);
      // `/oncall hlep` asks for a service called hlep; when that fails, say what was likely meant.
      const hint = e instanceof CodedError && service ? hintFor(service) : '';
      return { ...reply, text: reply.text + hint };
    });
    await withinAckWindow(work, ack, respond, arrived);
  },
};

/** `/oncall [service]`: asks the pager, answers only the caller. */
export function registerOncallCommand(app: App, d: SlackDeps) {
  app.command(oncallCommand.name, async ({ command, ack, respond, context }) => {
    const text = (command.text ?? '').trim();
    const first = text.split(/\s+/)[0]?.toLowerCase() ?? '';
    const parsed = parseSlash(oncallCommand, first in oncallCommand.subcommands ? text : `show ${text}`);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: badCommandText(parsed) });
      return;
    }
    // `/oncall` alone is `show` for every service (the parser offers a form; there is none).
    const args = 'args' in parsed ? parsed.args : {};
    // The parser hands each subcommand the output of its own schema.
    await (handlers as unknown as Record<string, Handler>)[parsed.name](d, args, ack, respond, arrivedAt(context));
  });
}
