/**
 * `opsroom verify`: checks that every runbook still fits the live inventory, changing nothing. For
 * each step: a Docker target must exist on its engine (a `ps` of it), an SSH step's host must
 * answer with its pinned key and have the program the command starts (`command -v`), an HTTP GET
 * or HEAD must answer as the step expects. Each problem prints with the step's file:line. Exit 0
 * when all fit, 1 when something does not, 2 for bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LineCounter, parseDocument } from 'yaml';
import { loadFileConfig, severitiesOf } from '../config/file.js';
import { loadInventory } from '../core/inventory/loader.js';
import { EMPTY_INVENTORY, type Inventory } from '../core/inventory/schema.js';
import { loadRunbooks, type LoadedRunbook } from '../core/runbooks/loader.js';
import { renderRunbook } from '../core/runbooks/render.js';
import { formatSourceError } from '../core/runbooks/yaml-source.js';
import { judge } from '../core/runs/expect.js';
import type { ResolvedCommand, ResolvedStep, StepRunner } from '../core/runs/step-runner.js';
import { Redactor } from '../core/runs/redact.js';
import { runnerFromInventory } from '../executors/index.js';

export const summary = 'check every runbook against the live inventory (targets exist, hosts answer, programs are there); changes nothing';

const USAGE = 'usage: opsroom verify [--system NAME] [--format text|json] [--runbooks DIR] [--inventory FILE] [--config FILE]';

export interface Problem { runbook: string; step: string | null; file: string; line: number; message: string }

/** The program an ssh command starts, when it is a plain word (`redis-cli ping` -> redis-cli). */
export function programOf(command: string): string | undefined {
  const first = /^\s*(?:sudo\s+(?:-\S+\s+)*)?([A-Za-z0-9_./-]+)(?=\s|$)/.exec(command)?.[1];
  if (!first || /^(?:if|for|while|case|cd|echo|export|set|test|true|false|\[|\.)$/.test(first)) return undefined;
  return first;
}

const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The read-only probe of a step's target, or undefined when the step has none to probe. */
export function probeOf(c: ResolvedCommand): ResolvedCommand | undefined {
  if (c.kind === 'docker') return { ...c, action: 'ps' } as ResolvedCommand;
  if (c.kind === 'ssh') {
    const program = programOf(c.command);
    return { ...c, command: program ? `command -v ${shellWord(program)}` : 'true' } as ResolvedCommand;
  }
  if (c.kind === 'http' && (c.method === 'GET' || c.method === 'HEAD')) return c;
  return undefined;
}

function stepLines(file: string): (i: number) => number {
  const counter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: counter });
  return (i) => {
    const node = doc.getIn(['steps', i], true) as { range?: [number, number] } | undefined;
    return node?.range ? counter.linePos(node.range[0]).line : 1;
  };
}

export async function verifyRunbooks(runbooks: readonly LoadedRunbook[], inventory: Inventory, runner: StepRunner & { close?: () => Promise<void> }, secrets: readonly string[] = []): Promise<Problem[]> {
  const problems: Problem[] = [];
  const hide = new Redactor({ secrets });
  for (const rb of runbooks) {
    const lineOf = stepLines(rb.file);
    let steps: ResolvedStep[];
    try {
      const defaults = Object.fromEntries(Object.entries(rb.params).filter(([, p]) => p.default !== undefined).map(([n, p]) => [n, String(p.default)]));
      steps = renderRunbook(rb, defaults, { env: process.env }, inventory).steps;
    } catch (e) {
      problems.push({ runbook: rb.id, step: null, file: rb.file, line: 1, message: `cannot render with its defaults: ${(e as Error).message}` });
      continue;
    }
    for (const [i, s] of steps.entries()) {
      // A dangerous step is never sent, not even a GET: verify changes nothing.
      const probe = s.danger && s.command.kind === 'http' ? undefined : probeOf(s.command);
      if (!probe) continue;
      const outcome = await runner.run(probe, { timeoutMs: 15_000, signal: new AbortController().signal, onOutput: () => undefined })
        .catch((e: unknown) => ({ exitCode: null, output: '', error: (e as Error).message, timedOut: false }));
      const verdict = judge({ ...s, command: probe, expect: s.command.kind === 'http' ? s.expect : {} }, outcome as never);
      let message = verdict.state === 'succeeded' ? null : (verdict.reason ?? verdict.state);
      if (!message && s.command.kind === 'docker' && !/\S/.test(outcome.output.split('\n').slice(1).join('\n'))) message = 'no container matches';
      // `command -v` answered (no connection error) without a path: the program is not there.
      const missing = s.command.kind === 'ssh' && probe.kind === 'ssh' && probe.command !== 'true' && !(outcome as { error?: string }).error && (outcome.exitCode !== 0 || !outcome.output.trim());
      if (missing && s.command.kind === 'ssh') message = `${programOf(s.command.command)} is not installed there`;
      if (message) problems.push({ runbook: rb.id, step: s.id, file: rb.file, line: lineOf(i), message: hide.redact(`${s.command.kind} ${message}`) });
    }
  }
  return problems;
}

export async function main(args: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({ args, options: { system: { type: 'string' }, format: { type: 'string', default: 'text' }, runbooks: { type: 'string' }, inventory: { type: 'string' }, config: { type: 'string' } } }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (o.format !== 'text' && o.format !== 'json') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const file = loadFileConfig(o.config ?? process.env.OPSROOM_CONFIG ?? 'opsroom.yml');
  const invPath = o.inventory ?? process.env.OPSROOM_INVENTORY ?? 'inventory.yml';
  let inventory = EMPTY_INVENTORY;
  if (existsSync(invPath)) {
    const r = await loadInventory(invPath);
    if (!r.inventory) {
      process.stderr.write(`${r.errors.map(formatSourceError).join('\n')}\n`);
      return 1;
    }
    inventory = r.inventory;
  }
  const loaded = await loadRunbooks(o.runbooks ?? process.env.OPSROOM_RUNBOOKS ?? 'runbooks', { severities: severitiesOf(file), severityAliases: file.severityAliases, inventory });
  const chosen = loaded.runbooks.filter((r) => !o.system || r.id.split('/')[0] === o.system);
  const runner = runnerFromInventory(inventory);
  const secrets = inventory.secrets.map((n) => process.env[n]).filter((v): v is string => !!v);
  const problems = [
    ...loaded.errors.map((e) => ({ runbook: '', step: null, file: e.file, line: e.line, message: e.message })),
    ...(await verifyRunbooks(chosen, inventory, runner, secrets).finally(() => runner.close())),
  ];
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ ok: problems.length === 0, runbooks: chosen.length, problems }, null, 2)}\n`);
  else if (!problems.length) process.stdout.write(`${chosen.length} runbooks fit\n`);
  else for (const p of problems) process.stdout.write(`${p.file}:${p.line} ${p.runbook}${p.step ? ` step ${p.step}` : ''}: ${p.message}\n`);
  return problems.length ? 1 : 0;
}
