/**
 * Handler tables are typed from the command data: tsc (test/ is in tsconfig) rejects a table that
 * misses a subcommand, names one that does not exist, or reads arguments the schema does not give.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { handoffCommand } from '#commands/handoff.js';
import type { incidentCommand } from '#commands/incident.js';
import type { oncallCommand } from '#commands/oncall.js';
import type { runbookCommand } from '#commands/runbook.js';
import { parseSlash } from '#commands/parse.js';
import type { ArgsOf, SlashCommand, SubcommandName } from '#commands/types.js';

type Table<C extends SlashCommand> = { [K in SubcommandName<C>]: (args: ArgsOf<C, K>) => string };
type Handoff = typeof handoffCommand;

const complete: Table<Handoff> = {
  show: () => 'show',
  post: () => 'post',
  note: (a) => `note ${a.text}`,
  since: (a) => `since ${a.time}`,
  help: () => 'help',
};

// @ts-expect-error a subcommand without a handler does not compile
const missing: Table<Handoff> = { show: () => '', post: () => '', note: () => '', since: () => '' };

const extra: Table<Handoff> = {
  ...complete,
  // @ts-expect-error a handler for a subcommand the command does not have does not compile
  hlep: () => '',
};

const wrongArgs: Table<Handoff> = {
  ...complete,
  // @ts-expect-error `note` gets its text, not a number
  note: (a) => a.text.toFixed(),
};

type Runbook = typeof runbookCommand;
type Oncall = typeof oncallCommand;

// @ts-expect-error /runbook without a handler for `schedule` does not compile
const runbookMissing: Table<Runbook> = { list: () => '', run: (a) => a.runbook, help: () => '' };

// @ts-expect-error /oncall without a handler for `help` does not compile
const oncallMissing: Table<Oncall> = { show: (a) => a.service ?? '' };

const runbookArgs: Table<Runbook> = {
  ...runbookMissing,
  schedule: () => '',
  // @ts-expect-error `run` gets a runbook id and its parameters, not a filter
  run: (a) => a.filter,
};

describe('handler tables typed from the command data', () => {
  it('names exactly the subcommands the command declares', () => {
    expectTypeOf<SubcommandName<Handoff>>().toEqualTypeOf<'show' | 'post' | 'note' | 'since' | 'help'>();
    expectTypeOf<ArgsOf<typeof incidentCommand, 'status'>>().toEqualTypeOf<{ status: 'investigating' | 'identified' | 'monitoring' }>();
    expect(Object.keys(complete).sort()).toEqual(Object.keys(handoffCommand.subcommands).sort());
    expect([missing, extra, wrongArgs].map((t) => Object.keys(t).length)).toEqual([4, 6, 5]);
    expectTypeOf<SubcommandName<Runbook>>().toEqualTypeOf<'list' | 'run' | 'schedule' | 'help'>();
    expectTypeOf<SubcommandName<Oncall>>().toEqualTypeOf<'show' | 'help'>();
    expectTypeOf<ArgsOf<Runbook, 'run'>>().toEqualTypeOf<{ runbook: string; params?: string | undefined }>();
    expect([runbookMissing, oncallMissing, runbookArgs].map((t) => Object.keys(t).length)).toEqual([3, 1, 4]);
  });

  it('hands each handler the arguments its schema parsed', () => {
    const parsed = parseSlash(handoffCommand, 'note the disk is at 91%');
    if (!parsed.ok || 'form' in parsed) throw new Error('expected a parsed note');
    const name = parsed.name as SubcommandName<Handoff>;
    expect(name).toBe('note');
    expect((complete as Record<string, (a: unknown) => string>)[name](parsed.args)).toBe('note the disk is at 91%');
  });
});
