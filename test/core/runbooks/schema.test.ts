import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runbookJsonSchema, inventoryJsonSchema } from '#core/runbooks/json-schema.js';
import { RunbookSchema } from '#core/runbooks/schema.js';

const minimal = { title: 'T', steps: [{ id: 'a', title: 'A', manual: 'do it' }] };

describe('RunbookSchema', () => {
  it('accepts a minimal runbook and fills defaults', () => {
    const r = RunbookSchema.parse(minimal);
    expect(r.params).toEqual({});
    expect(r.escalate).toEqual([]);
    expect(r.match).toEqual({ keywords: [], services: [] });
    expect(r.steps[0]).toMatchObject({ redact: false });
    expect(r.steps[0].on_failure).toBeUndefined(); // the runbook's defaults.on_failure, else stop
    expect(r.steps[0].danger).toBeUndefined();
  });

  it('rejects unknown keys at every level', () => {
    const bad = {
      ...minimal,
      extra: 1,
      steps: [{ id: 'a', title: 'A', manual: 'x', dangerous: true }],
      params: { p: { type: 'string', regex: 'x' } },
    };
    const r = RunbookSchema.safeParse(bad);
    expect(r.success).toBe(false);
    const unknown = r.error!.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => i.path.join('.'));
    expect(unknown.sort()).toEqual(['', 'params.p', 'steps.0']);
  });

  it('needs exactly one step kind', () => {
    const none = RunbookSchema.safeParse({ title: 'T', steps: [{ id: 'a', title: 'A' }] });
    expect(none.error!.issues[0].message).toMatch(/needs one of: docker, ssh, http, manual, wait, escalate/);
    const two = RunbookSchema.safeParse({ title: 'T', steps: [{ id: 'a', title: 'A', manual: 'x', wait: '1s' }] });
    expect(two.error!.issues[0].message).toMatch(/exactly one kind; found manual, wait/);
  });

  it('needs exactly one docker action, and a string exec only with shell: true', () => {
    const step = (docker: unknown) => RunbookSchema.safeParse({ title: 'T', steps: [{ id: 'a', title: 'A', docker }] });
    expect(step({ container: 'c', ps: true, stats: true }).error!.issues[0].message).toMatch(/does one thing; found stats, ps/);
    expect(step({ container: 'c' }).error!.issues[0].message).toMatch(/needs one of: exec/);
    expect(step({ container: 'c', exec: 'ls -l' }).error!.issues[0].message).toMatch(/set `shell: true`/);
    expect(step({ container: 'c', exec: ['ls'], shell: true }).error!.issues[0].message).toMatch(/needs `exec` as one string/);
    expect(step({ container: 'c', ps: true, user: 'root' }).error!.issues[0].message).toMatch(/user only applies to exec/);
    expect(step({ container: 'c', exec: 'ls | wc -l', shell: true }).success).toBe(true);
    expect(step({ service: 's', logs: { tail: 10, since: '1h', grep: 'error', ignore_case: true } }).success).toBe(true);
  });

  it('checks durations, on_failure and step ids', () => {
    const step = (s: object) => RunbookSchema.safeParse({ title: 'T', steps: [{ id: 'a', title: 'A', manual: 'x', ...s }] });
    expect(step({ timeout: '2m' }).success).toBe(true);
    expect(step({ timeout: 30 }).success).toBe(true);
    expect(step({ timeout: '2 minutes' }).success).toBe(false);
    expect(step({ on_failure: { goto: 'b' } }).success).toBe(true);
    expect(step({ on_failure: 'retry' }).success).toBe(false);
    expect(step({ id: 'Bad Id' }).success).toBe(false);
  });
});

describe('JSON Schema', () => {
  it('is strict (additionalProperties false) and is what schema/runbook.schema.json holds', () => {
    const js = runbookJsonSchema() as { additionalProperties: boolean; properties: Record<string, unknown> };
    expect(js.additionalProperties).toBe(false);
    expect(Object.keys(js.properties)).toEqual(expect.arrayContaining(['title', 'steps', 'params', 'escalate']));
    const committed = JSON.parse(readFileSync('schema/runbook.schema.json', 'utf8'));
    expect(committed, 'run: npx tsx src/cli.ts schema > schema/runbook.schema.json').toEqual(js);
    const inv = JSON.parse(readFileSync('schema/inventory.schema.json', 'utf8'));
    expect(inv, 'run: npx tsx src/cli.ts schema inventory > schema/inventory.schema.json').toEqual(inventoryJsonSchema());
  });
});
