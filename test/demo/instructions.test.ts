/** demo:up prints one set of instructions, and the README gives the same commands. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { howToRun } from '../../demo/instructions.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const INV = '/tmp/opsroom-demo/inventory.yml';

describe('demo instructions', () => {
  it('uses the inventory, not DOCKER_HOST, and every command it prints is the README\'s', () => {
    const text = howToRun(INV);
    expect(text).not.toMatch(/DOCKER_HOST/);
    const commands = text.split('\n').map((l) => l.trim()).filter((l) => /^(npm|OPSROOM_)/.test(l));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const readme = README.replace(/\\\n\s*/g, '').replace(/\s+/g, ' ');
    for (const c of commands) expect(readme).toContain(c.replace(/\s+/g, ' '));
  });

  it('does not ask for a parameter the suggested runbook does not have', () => {
    const runbook = readFileSync(new URL('../../runbooks/minimarket/dashboard-down.yml', import.meta.url), 'utf8');
    expect(howToRun(INV)).toContain('needs no parameters');
    expect(runbook).not.toMatch(/^params:\s*\n\s+\w+:/m);
  });
});
