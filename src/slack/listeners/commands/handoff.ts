import type { App, RespondArguments, SlashCommand } from '@slack/bolt';
import { handoffCommand } from '#commands/handoff.js';
import type { ArgsOf, SubcommandName } from '#commands/types.js';
import { parseSlash } from '#commands/parse.js';
import { badCommandText, usageOf } from '#slack/blocks/usage.js';
import type { HandoffService } from '#core/handoffs/service.js';
import { parseSince, upToNow } from '#core/handoffs/window.js';
import { incidentKey } from '#core/incidents/incident.js';
import type { Clock, IncidentStore, Logger } from '#core/ports.js';
import { handoffMessage } from '#slack/blocks/handoff.js';
import { errorReply } from '../reply.js';
import { withinAckWindow } from '../ack.js';
import { arrivedAt } from '../once.js';

/** What the handoff listeners use. */
export interface HandoffSlackDeps {
  handoffs: HandoffService;
  store: IncidentStore;
  clock: Clock;
  log: Logger;
}

type Handler<A = Record<string, unknown>> = (d: HandoffSlackDeps, cmd: SlashCommand, args: A, incidentId: () => Promise<number | null>) => Promise<string | RespondArguments>;

const summaryReply = async (d: HandoffSlackDeps, since?: Date): Promise<RespondArguments> => {
  const window = since ? { since, until: upToNow(d.clock.now()), source: 'since' as const } : await d.handoffs.currentWindow();
  const msg = handoffMessage(await d.handoffs.summarize(window), { fullText: 'elsewhere' });
  return { response_type: 'ephemeral', text: msg.text, blocks: msg.blocks };
};

type Handoff = typeof handoffCommand;
/** One handler per subcommand, taking its parsed arguments: a missing or unknown one does not compile. */
const handlers: { [K in SubcommandName<Handoff>]: Handler<ArgsOf<Handoff, K>> } = {
  show: async (d) => summaryReply(d),
  since: async (d, _cmd, a) => summaryReply(d, parseSince(String(a.time), d.clock.now(), d.handoffs.config.timeZone)),
  async post(d, cmd) {
    const h = await d.handoffs.postNow(cmd.user_id);
    const dm = h.incoming ? ` <@${h.incoming}> was asked to accept it.` : '';
    return `Posted the handoff in <#${h.channel}>.${dm}`;
  },
  async note(d, cmd, a, incidentId) {
    const id = await incidentId();
    await d.handoffs.note(cmd.user_id, String(a.text), id);
    return `:memo: Noted for the handoff${id !== null ? ` (about ${incidentKey(id)})` : ''}.`;
  },
  async help() {
    return `*Shift handoffs*\n${usageOf(handoffCommand)}`;
  },
};

/** `/handoff …`: the summary to the caller, a post, a note. */
export function registerHandoffCommand(app: App, d: HandoffSlackDeps) {
  app.command(handoffCommand.name, async ({ command, ack, respond, body, context }) => {
    const parsed = parseSlash(handoffCommand, command.text ?? '');
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: badCommandText(parsed) });
      return;
    }
    if ('form' in parsed) return void (await ack());
    const threadTs = (body as { thread_ts?: string }).thread_ts;
    const incidentId = async () => {
      if (parsed.incidentId !== undefined) return parsed.incidentId;
      const inThread = threadTs ? await d.store.findByThread(command.channel_id, threadTs) : undefined;
      return inThread?.id ?? null;
    };
    // The parser hands each subcommand the output of its own schema.
    const work = (handlers as unknown as Record<string, Handler>)[parsed.name](d, command, parsed.args, incidentId).then(
      (r): RespondArguments => (typeof r === 'string' ? { response_type: 'ephemeral', text: r } : r),
      (e): RespondArguments => errorReply(d.log, 'handoff command failed', e),
    );
    await withinAckWindow(work, ack, respond, arrivedAt(context));
  });
}
