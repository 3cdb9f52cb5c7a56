import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { renderSteps } from '#core/runbooks/render.js';
import { lint } from './helpers.js';

/** The documentation's complete example must stay a valid runbook. */
describe('docs/runbooks.md example', () => {
  const doc = readFileSync('docs/runbooks.md', 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1];

  it('lints and renders', () => {
    const r = lint(example, { severities: DEFAULT_SEVERITIES }, 'minimarket/dashboard-down');
    expect(r.errors).toEqual([]);
    const steps = renderSteps(r.runbook!, {}, { incident: { service: 'dashboard' } });
    expect(steps.map((s) => s.command.kind)).toEqual([
      'http', 'docker', 'docker', 'docker', 'docker', 'docker', 'ssh', 'ssh', 'docker', 'wait', 'http', 'manual', 'manual', 'escalate',
    ]);
    expect(steps.find((s) => s.id === 'disk')!.command).toEqual({
      kind: 'ssh',
      host: 'minimarket-host',
      command: "df -h / && journalctl -u docker --since=-'24h' | tail -n '50'",
    });
  });
});
