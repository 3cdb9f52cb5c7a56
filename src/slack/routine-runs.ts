/**
 * Runs without an incident in Slack: `/runbook run` outside an incident thread and scheduled
 * routines. The run card is posted in the system's operations channel (or the channel it was typed
 * in) with the same buttons, engine, locks, redaction and audit as in an incident; the run's
 * channel is recorded (`bind`) so its buttons are accepted. Also renders routine summaries and
 * missed-run notices.
 */
import { CodedError, ErrorCode } from '#core/errors.js';
import { renderRunbook } from '#core/runbooks/render.js';
import type { RoutineChat, RoutineStarter, RoutineSummary, Routine } from '#core/routines/ports.js';
import type { Run } from '#core/runs/ports.js';
import { Redactor } from '#core/runs/redact.js';
import { context, type Block, section, slackDate } from './blocks/kit.js';
import { cardText, code, escapeMrkdwn, runCard } from './blocks/run-card.js';
import type { Remediation } from './remediation.js';
import { postOnce, runCardKey } from './run-posts.js';

export interface RoutineRunDeps {
  remediation: Remediation;
  /** Records the run's channel (store: routine_runs). */
  bind(runId: number, channel: string, at: Date): Promise<void>;
}

/** What the listeners use: start a run outside an incident, where it goes, and what runs when. */
export interface SlackRoutines {
  starter: RoutineRuns;
  channelFor(runbookId: string, typedIn: string): string;
  upcoming(): { routine: Routine; at: Date }[];
}

const isSlackUser = (id: string) => /^[UW][A-Z0-9]+$/.test(id);

export class RoutineRuns implements RoutineStarter {
  constructor(private readonly d: RoutineRunDeps) {}

  /** Required parameters with no value from the person or a default (there is no incident to take one from). */
  missingParams(runbookId: string, given: Record<string, string>): string[] {
    const rb = this.d.remediation.runbook(runbookId);
    if (!rb) return [];
    return Object.entries(rb.params)
      .filter(([n, p]) => p.required && given[n] === undefined && p.default === undefined && !p.from?.startsWith('env.'))
      .map(([n]) => n);
  }

  /** Starts the run in `channel` and posts its card there. Throws CodedError (not_found, forbidden, bad_input). */
  async start(runbookId: string, actor: string, channel: string, given: Record<string, string> = {}): Promise<Run> {
    const r = this.d.remediation;
    const rb = r.runbook(runbookId);
    if (!rb) throw new CodedError(ErrorCode.NotFound, `There is no runbook \`${runbookId}\`. \`/runbook list\` shows them.`);
    if (isSlackUser(actor)) {
      const denied = await r.d.policy.check(actor, 'run', null);
      if (denied) throw new CodedError(ErrorCode.Forbidden, denied);
    }
    const missing = this.missingParams(runbookId, given);
    if (missing.length) throw new CodedError(ErrorCode.BadInput, `${rb.id} needs ${missing.map((m) => `${m}=…`).join(' ')}: give ${missing.length > 1 ? 'them' : 'it'} after the runbook id.`);
    const rendered = renderRunbook(rb, given, { env: r.d.env }, r.d.inventory);
    const secret = new Set(Object.entries(rb.params).filter(([, p]) => p.secret || p.from?.startsWith('env.')).map(([n]) => n));
    const params = Object.fromEntries(Object.entries(rendered.params).map(([k, v]) => [k, secret.has(k) ? '[REDACTED]' : v]));
    const run = await r.d.engine.start({ runbookId: rb.id, incidentId: null, params, startedBy: actor, steps: rendered.steps }, { secrets: rendered.secrets });
    await this.d.bind(run.id, channel, r.d.clock.now());
    await this.postCard(run, channel);
    return run;
  }

  /** Posts the run card at the top of the channel (retried; a retry finds a card posted before). */
  private async postCard(run: Run, channel: string): Promise<void> {
    const { board, client, refs } = this.d.remediation.d;
    const m = await board.model(run.id);
    if (!m) return;
    await postOnce({ client, refs, ref: `run:${run.id}`, channel, key: runCardKey(run.id), since: run.createdAt, message: { text: cardText(m), blocks: runCard(m) }, tries: 3 });
    board.refresh(run.id);
  }
}

const fence = (s: string) => `\`\`\`${escapeMrkdwn(s).replace(/```/g, 'ˋˋˋ')}\`\`\``;
const tail = (s: string, max: number) => (s.length > max ? `…${s.slice(-max)}` : s);

/** Renders routine facts for Slack and posts them (one try more on a failure). */
export class SlackRoutineChat implements RoutineChat {
  constructor(private readonly o: { remediation: Remediation; secrets: readonly string[] }) {}

  async summary(s: RoutineSummary): Promise<void> {
    const hide = new Redactor({ secrets: this.o.secrets });
    const when = s.slotAt ? ` scheduled ${slackDate(s.slotAt)}` : '';
    const ok = !s.error && s.failed.length === 0;
    const head = `${ok ? ':white_check_mark:' : ':x:'} *${escapeMrkdwn(s.title)}* ${code(s.runbookId)}${when}: ${s.error ? 'could not start' : `${s.passed.length} passed, ${s.failed.length} failed`}`;
    const blocks: Block[] = [section(head)];
    if (s.error) blocks.push(section(escapeMrkdwn(hide.redact(s.error))));
    if (s.passed.length) blocks.push(context([`Passed: ${s.passed.map((p) => code(p.stepId)).join(' ')}`]));
    for (const f of s.failed.slice(0, 10)) {
      const why = f.reason ? ` — ${escapeMrkdwn(hide.redact(f.reason).slice(0, 300))}` : '';
      const out = hide.redact(f.output).trim();
      blocks.push(section(`*${escapeMrkdwn(f.title)}* ${code(f.stepId)}: ${f.state.replace('_', ' ')}${why}${out ? `\n${fence(tail(out, 1500))}` : ''}`.slice(0, 2900)));
    }
    if (s.waiting.length) blocks.push(context([`Waiting for a person on the run card: ${s.waiting.map((w) => code(w.stepId)).join(' ')}`]));
    if (s.incident) blocks.push(context([`:rotating_light: Opened INC-${s.incident.id} (${escapeMrkdwn(s.incident.severity)}) for this failure.`]));
    if (s.incidentError) blocks.push(context([`:warning: The incident for this failure could not be opened: ${escapeMrkdwn(s.incidentError)}`]));
    if (s.runId !== null) blocks.push(context([`Run ${s.runId}`]));
    const text = `${s.title}: ${s.error ? 'could not start' : `${s.passed.length} passed, ${s.failed.length} failed`}`;
    await this.post(s.channel, text, blocks);
  }

  async missed(m: { routine: Routine; slots: Date[] }): Promise<void> {
    const { routine, slots } = m;
    const shown = slots.slice(-5).map((d) => slackDate(d)).join(', ');
    const more = slots.length > 5 ? ` and ${slots.length - 5} earlier` : '';
    const text = `:warning: *${escapeMrkdwn(routine.title)}* ${code(routine.runbookId)} did not run ${slots.length === 1 ? 'at its scheduled time' : `${slots.length} times`} (opsroom was not running): ${shown}${more}. Missed runs are not run late; run it now with ${code(`/runbook run ${routine.runbookId}`)}.`;
    await this.post(routine.channel, `${routine.title} missed ${slots.length} scheduled run(s)`, [section(text)]);
  }

  private async post(channel: string, text: string, blocks: Block[]): Promise<void> {
    const { client } = this.o.remediation.d;
    const send = () => client.chat.postMessage({ channel, text, blocks, unfurl_links: false });
    await send().catch(async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await send();
    });
  }
}
