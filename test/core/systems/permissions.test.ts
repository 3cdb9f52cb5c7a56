import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { RunPolicy } from '#core/runs/permissions.js';
import { SystemRouting, SystemsSchema } from '#core/systems/index.js';

const routing = new SystemRouting({
  systems: SystemsSchema.parse({ blatam: { people: { responders: ['U0ERIN', 'S0BLATAM'] } }, bff: {} }),
  severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS',
});
const directory = { membersOf: async (id: string) => (id === 'S0BLATAM' ? ['U0FRED'] : id === 'S0ONCALL' ? ['U0ALICE'] : []) };
const policy = (responders: string[]) => new RunPolicy({ runners: [], responders, approvalMinutes: 10 }, directory, routing);
const roles = (system: string | null, runbookId?: string) => ({ commander: 'U0ALICE', acknowledgedBy: null, system, runbookId });

describe('a system\'s responders', () => {
  it('may run and approve dangerous steps of its runbooks in its incidents, directly or through a group', async () => {
    const p = policy(['S0ONCALL']);
    expect(await p.check('U0ERIN', 'run_dangerous', roles('blatam', 'blatam/system-down'))).toBeNull();
    expect(await p.check('U0FRED', 'approve', roles('blatam', 'blatam/system-down'), 'U0ERIN')).toBeNull();
    expect(await p.check('U0ERIN', 'assign', roles('blatam'))).toBeNull();
  });

  it('are nobody special in another system\'s incidents, or for another system\'s runbooks', async () => {
    const p = policy(['S0ONCALL']);
    expect(await p.check('U0ERIN', 'run_dangerous', roles('bff', 'bff/redis-down'))).toMatch(/Only the responders/);
    expect(await p.check('U0ERIN', 'run_dangerous', roles(null, 'blatam/system-down'))).toMatch(/Only the responders/);
    // Their own incident, but a bff runbook started in it.
    expect(await p.check('U0ERIN', 'run_dangerous', roles('blatam', 'bff/redis-down'))).toMatch(/Only the responders/);
    expect(await p.check('U0ERIN', 'approve', roles('blatam', 'examples/redis-down'), 'U0ALICE')).toMatch(/Only the responders/);
    expect(await p.check('U0ERIN', 'assign', roles('bff'))).toMatch(/Only the incident's commander/);
  });

  it('count even when permissions.responders is empty, for their system only', async () => {
    const p = policy([]);
    expect(await p.check('U0ERIN', 'run_dangerous', roles('blatam', 'blatam/high-memory'))).toBeNull();
    expect(await p.check('U0ERIN', 'run_dangerous', roles('bff', 'bff/redis-down'))).toMatch(/No responders are configured/);
  });

  it('leave the global responders as they were', async () => {
    const p = policy(['S0ONCALL']);
    expect(await p.check('U0ALICE', 'run_dangerous', roles('bff', 'bff/redis-down'))).toBeNull();
    expect(await p.responder('U0ALICE')).toBe(true);
    expect(await p.responder('U0ERIN')).toBe(false);
    expect(await p.responder('U0ERIN', roles('blatam'))).toBe(true);
  });
});
