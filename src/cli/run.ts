/**
 * `opsroom run`: runs a runbook from a terminal through the same engine the Slack flow uses, with
 * live output, and stores the run. Exit 0 when every step it ran succeeded, 1 when one failed or a
 * step was refused, 2 for bad usage or input.
 */
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { isCoded } from '#core/errors.js';
import { loadInventory } from '#core/inventory/loader.js';
import { EMPTY_INVENTORY, type Inventory } from '#core/inventory/schema.js';
import { loadRunbookFile, type LoadedRunbook } from '#core/runbooks/loader.js';
import { renderRunbook, type RenderedRunbook } from '#core/runbooks/render.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';
import { stepFingerprint } from '#core/runs/confirmation.js';
import { RunEngine } from '#core/runs/engine.js';
import type { RunEvent } from '#core/runs/events.js';
import { targetKey } from '#core/runs/expect.js';
import { Redactor } from '#core/runs/redact.js';
import type { StepDecision } from '#core/runs/sequence.js';
import { describeCommand, type ResolvedStep, type StepRunner } from '#core/runs/step-runner.js';
import type { StepRun } from '#core/runs/ports.js';
import { openDatabase, redact as redactUrl, type Database } from '#store/db.js';
import { attachIncident, type AttachedIncident } from './run-incident.js';
import { resolvedLines } from './run-resolved.js';
import { incidentKey } from '#core/incidents/incident.js';
import type { Severity } from '#core/incidents/severity.js';
import { KyselyRunStore } from '#store/runs.js';

export const summary = 'run a runbook from the terminal (live output, stored run; --dry-run shows the commands)';

const USAGE = `usage: opsroom run <runbook> [--param k=v…] [--step id…] [--yes] [--dry-run] [--incident INC-7]
                   [--inventory FILE] [--db URL] [--runbooks DIR] [--config FILE]

<runbook> is a runbook id (a file under --runbooks, default runbooks/) or a YAML file.
  --param k=v   a parameter value (repeatable)
  --step id     run only this step (repeatable); the others stay pending in the stored run
  --yes         confirm dangerous steps without asking
  --dry-run     print each resolved command and target; run nothing
  --db URL      where the run is stored (default $DATABASE_URL, else sqlite:./data/opsroom.db)
  --incident K  attach the run to open incident K of that database: its steps go on the incident's
                timeline, and on severities that need a second approval dangerous steps are refused
Dangerous steps ask on a terminal; without one, they need --yes. Manual steps need a terminal.`;

/** What the command talks to; tests replace parts of it. */
export interface RunIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Asks a yes/no/quit question on the terminal; undefined when there is none. */
  ask?: (question: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
  /** Builds the executors (default: Docker and SSH from the inventory). */
  runner?: (inventory: Inventory) => Promise<StepRunner>;
}

export function main(args: string[]): Promise<number> {
  const tty = process.stdin.isTTY === true;
  return runCommand(args, {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    ask: tty ? askOnTerminal : undefined,
    env: process.env,
  });
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase();
  } finally {
    rl.close();
  }
}

export async function runCommand(args: string[], io: RunIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        param: { type: 'string', short: 'p', multiple: true },
        step: { type: 'string', multiple: true },
        yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' },
        inventory: { type: 'string' },
        db: { type: 'string' },
        runbooks: { type: 'string' },
        config: { type: 'string' },
        incident: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) return io.out(`${USAGE}\n`), 0;
  if (parsed.positionals.length !== 1) return io.err(`opsroom run needs exactly one runbook\n\n${USAGE}\n`), 2;

  const params: Record<string, string> = {};
  for (const p of o.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) return io.err(`--param "${p}" must look like name=value\n`), 2;
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }

  const loaded = await loadEverything(parsed.positionals[0], o, io);
  if (typeof loaded === 'number') return loaded;
  const { runbook, inventory, hasInventory, severities } = loaded;
  const dbUrl = o.db ?? io.env.DATABASE_URL ?? 'sqlite:./data/opsroom.db';
  const actor = `cli:${safeUser()}`;
  let attached: AttachedIncident | undefined;
  let database: Database | undefined;
  if (o.incident !== undefined) {
    database = await openDatabase(dbUrl);
    const a = await attachIncident(database, o.incident, severities, actor);
    if (typeof a === 'string') return await database.close(), io.err(`${a}\n`), 2;
    attached = a;
  }
  let rendered: RenderedRunbook;
  try {
    const incident = attached && { service: attached.incident.service, severity: attached.incident.severity, title: attached.incident.title };
    rendered = renderRunbook(runbook, params, { env: io.env, ...(incident ? { incident } : {}) }, hasInventory ? inventory : undefined);
  } catch (e) {
    await database?.close();
    if (!isCoded(e)) throw e;
    return io.err(`${runbook.id}: ${e.message}\n`), 2;
  }
  const only = o.step;
  const unknown = (only ?? []).filter((id) => !rendered.steps.some((s) => s.id === id));
  if (unknown.length) return await database?.close(), io.err(`${runbook.id} has no step ${unknown.join(', ')} (steps: ${rendered.steps.map((s) => s.id).join(', ')})\n`), 2;

  const secrets = [...rendered.secrets, ...inventory.secrets.map((n) => io.env[n] ?? '')];
  const redactor = new Redactor({ secrets });
  const selected = rendered.steps.filter((s) => !only || only.includes(s.id));
  if (o['dry-run']) {
    io.out(`${runbook.id}: ${runbook.title} (dry run: nothing runs)\n`);
    selected.forEach((s, i) => io.out(describeStep(s, i, selected.length, redactor, hasInventory ? inventory : undefined)));
    await database?.close();
    return 0;
  }

  database ??= await openDatabase(dbUrl);
  const runner = await (io.runner ?? defaultRunner)(inventory);
  let unfollow = async (): Promise<void> => undefined;
  // No recoverInterrupted() here: the server may be running steps on the same database; its own
  // recovery leaves this process's steps alone while it says it is alive.
  const runStore = new KyselyRunStore(database);
  const engine = new RunEngine({ store: runStore, runner, secrets, instanceId: `cli:${hostname()}:${process.pid}` });
  const stop = new AbortController();
  let stopSignal = (): void => undefined;
  const onSigint = (): void => {
    stop.abort();
    stopSignal();
  };
  process.on('SIGINT', onSigint);
  try {
    const incidentId = attached?.incident.id ?? null;
    const run = await engine.start({ runbookId: runbook.id, incidentId, params: redactParams(rendered, runbook), startedBy: actor, steps: rendered.steps }, { secrets: rendered.secrets });
    io.out(`${runbook.id}: ${runbook.title} — run ${run.id}, stored in ${redactUrl(dbUrl)}${attached ? `, on ${incidentKey(attached.incident.id)}` : ''}\n`);
    if (attached) {
      const text = `Started runbook \`${runbook.id}\` from a terminal (run ${run.id})`;
      await attached.record('run', text, { runId: run.id, runbookId: runbook.id, terminal: true }, `:computer: ${actor} ${text.charAt(0).toLowerCase()}${text.slice(1)}.`);
      unfollow = attached.follow(engine, run.id, runbook.id);
    }
    const positions = new Map(selected.map((s, i) => [s.id, i]));
    engine.subscribe(printer(io, positions, selected.length), { runId: run.id });
    stopSignal = () => {
      io.err('\ninterrupted: stopping the running step\n');
      void engine.close();
    };
    const result = await engine.runAll(run.id, {
      actor,
      only,
      signal: stop.signal,
      decide: (s) => attached?.requiresApproval
        ? Promise.resolve<StepDecision>({ action: 'stop', reason: `${incidentKey(attached.incident.id)} is ${attached.incident.severity}: dangerous step ${s.stepId} needs a second responder's approval, which a terminal cannot give; run it from the incident's run card in Slack` })
        : decideDangerous(s, run.id, actor, !!o.yes, io, redactor),
      confirmManual: io.ask ? async (s) => (await io.ask!(`  manual: ${s.title} — done? [y/N] `)) === 'y' : undefined,
    });
    const count = (st: string) => result.results.filter((r) => r.state === st).length;
    if (result.stopped) io.err(`stopped at ${result.stopped.stepId}: ${redactor.redact(result.stopped.reason)}\n`);
    // Recovered: the failures came before a fix that a later check verified (deriveRunState).
    const recovered = (await runStore.getRun(run.id))?.state === 'recovered';
    const tally = `${recovered ? 'recovered: ' : ''}${count('succeeded')} succeeded, ${result.results.length - count('succeeded')} failed, ${result.skipped.length} skipped`;
    io.out(`run ${run.id}: ${tally}\n`);
    await unfollow();
    if (attached) {
      const end = `Terminal run ${run.id} of \`${runbook.id}\` ended: ${tally}${result.stopped ? `; stopped at \`${result.stopped.stepId}\`: ${redactor.redact(result.stopped.reason).slice(0, 300)}` : ''}`;
      await attached.record('run', end, { runId: run.id, runbookId: runbook.id, terminal: true, ok: result.ok }, `:computer: ${end}.`);
    }
    return stop.signal.aborted ? 130 : result.ok || (recovered && !result.stopped) ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await unfollow();
    await engine.close();
    await runner.close?.();
    await database.close();
  }
}

type Options = { inventory?: string; runbooks?: string; config?: string };

async function loadEverything(name: string, o: Options, io: RunIo): Promise<{ runbook: LoadedRunbook; inventory: Inventory; hasInventory: boolean; severities: readonly Severity[] } | number> {
  let config;
  try {
    config = loadFileConfig(o.config ?? (io.env.OPSROOM_CONFIG || 'opsroom.yml'));
  } catch (e) {
    return io.err(`${(e as Error).message}\n`), 2;
  }
  let inventory = EMPTY_INVENTORY;
  const invFile = o.inventory ?? [io.env.OPSROOM_INVENTORY, 'inventory.yml', 'inventory.example.yml'].find((p): p is string => !!p && existsSync(p));
  if (invFile) {
    const r = await loadInventory(invFile);
    if (!r.inventory) return r.errors.forEach((e) => io.err(`${formatSourceError(e)}\n`)), 2;
    inventory = r.inventory;
  }
  const dir = o.runbooks ?? (io.env.OPSROOM_RUNBOOKS || 'runbooks');
  const file = /\.ya?ml$/.test(name) && existsSync(name) ? name : [`${dir}/${name}.yml`, `${dir}/${name}.yaml`].find((f) => existsSync(f));
  if (!file) return io.err(`no runbook "${name}" (looked in ${dir}/)\n`), 2;
  const r = await loadRunbookFile(file, {
    severities: severitiesOf(config), severityAliases: config.severityAliases, inventory: invFile ? inventory : undefined,
    ...(file === name ? {} : { root: dir }),
  });
  if (!r.runbook) return r.errors.forEach((e) => io.err(`${formatSourceError(e)}\n`)), 2;
  return { runbook: r.runbook, inventory, hasInventory: invFile !== undefined, severities: severitiesOf(config) };
}

/** Parameter values as stored: secret ones hidden. */
function redactParams(rendered: RenderedRunbook, runbook: LoadedRunbook): Record<string, string> {
  const secret = new Set(Object.entries(runbook.params ?? {}).filter(([, p]) => p.secret).map(([n]) => n));
  return Object.fromEntries(Object.entries(rendered.params).map(([k, v]) => [k, secret.has(k) ? '[REDACTED]' : v]));
}

function describeStep(s: ResolvedStep, i: number, n: number, redactor: Redactor, inventory: Inventory | undefined): string {
  const flags = [s.danger && 'dangerous', s.onFailure.action !== 'stop' && `on failure: ${s.onFailure.action === 'goto' ? `goto ${s.onFailure.step}` : s.onFailure.action}`].filter(Boolean);
  return [
    `[${i + 1}/${n}] ${s.id} — ${s.title}${flags.length ? `  (${flags.join(', ')})` : ''}`,
    `      target:  ${targetKey(s.command)}`,
    ...resolvedLines(s.command, inventory).map((l) => `      ${redactor.redact(l)}`),
    `      command: ${redactor.redact(describeCommand(s.command)).replace(/\n/g, '\n               ')}`,
    `      timeout: ${Math.round(s.timeoutMs / 1000)}s${Object.keys(s.expect).length ? `, expect: ${JSON.stringify(s.expect)}` : ''}`,
    '',
  ].join('\n');
}

async function decideDangerous(s: StepRun, runId: number, actor: string, yes: boolean, io: RunIo, redactor: Redactor): Promise<StepDecision> {
  const confirmation = (how: string) => ({ confirmedBy: actor, refs: [how], fingerprint: stepFingerprint(runId, s.step) });
  const what = `${redactor.redact(describeCommand(s.step.command))} (${targetKey(s.step.command)})`;
  if (yes) return { action: 'run', confirmation: confirmation('cli:--yes') };
  if (!io.ask) return { action: 'stop', reason: `step ${s.stepId} is dangerous (${what}); confirm it on a terminal or pass --yes` };
  const answer = await io.ask(`  ${s.stepId} is dangerous: ${what}\n  run it? [y]es / [n]o, skip / [q]uit: `);
  if (answer === 'y' || answer === 'yes') return { action: 'run', confirmation: confirmation('cli:terminal') };
  if (answer === 'n' || answer === 'no') return { action: 'skip' };
  return { action: 'stop', reason: `${s.stepId} was not confirmed` };
}

const ICON: Record<string, string> = { succeeded: '✔', failed: '✘', timed_out: '⏱', interrupted: '■', skipped: '↷' };

/** Prints progress and streamed output, each output line indented under its step. */
function printer(io: RunIo, positions: Map<string, number>, total: number): (e: RunEvent) => void {
  let lineStart = true;
  return (e) => {
    if (e.type === 'step.started') {
      io.out(`[${(positions.get(e.stepId) ?? 0) + 1}/${total}] ${e.stepId}: ${e.command}  (${e.target})\n`);
      lineStart = true;
    } else if (e.type === 'step.output') {
      const text = e.chunk.replace(/\n(?=.)/g, '\n  │ ');
      io.out(`${lineStart ? '  │ ' : ''}${text}`);
      lineStart = e.chunk.endsWith('\n');
    } else if (e.type === 'step.finished') {
      const nl = lineStart ? '' : '\n';
      const why = e.reason ? `: ${e.reason}` : '';
      const dropped = e.output.droppedBytes ? ` (${e.output.droppedBytes} bytes of output not kept)` : '';
      io.out(`${nl}  ${ICON[e.state]} ${e.state.replace('_', ' ')} in ${(e.durationMs / 1000).toFixed(1)}s${why}${dropped}\n`);
      lineStart = true;
    } else if (e.type === 'step.changed' && e.state === 'skipped') {
      io.out(`  ${ICON.skipped} ${e.stepId} skipped${e.reason ? ` (${e.reason})` : ''}\n`);
    }
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Docker, SSH and HTTP executors from the inventory. */
async function defaultRunner(inventory: Inventory): Promise<StepRunner> {
  const { runnerFromInventory } = await import('#executors/index.js');
  return runnerFromInventory(inventory);
}
