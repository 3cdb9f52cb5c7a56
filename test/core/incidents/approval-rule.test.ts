import { describe, expect, it } from 'vitest';
import { approvalRequired } from '#core/incidents/approval-rule.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';

describe('approvalRequired', () => {
  it('follows the severity now, and every severity the incident had since it opened', () => {
    expect(approvalRequired(DEFAULT_SEVERITIES, 'P3', [{ kind: 'opened', data: { severity: 'P3' } }])).toBe(false);
    expect(approvalRequired(DEFAULT_SEVERITIES, 'P1', [{ kind: 'opened', data: { severity: 'P3' } }])).toBe(true);
    expect(approvalRequired(DEFAULT_SEVERITIES, 'P3', [{ kind: 'opened', data: { severity: 'P1' } }, { kind: 'severity', data: { from: 'P1', to: 'P3' } }])).toBe(true);
    expect(approvalRequired(DEFAULT_SEVERITIES, 'P4', [{ kind: 'opened', data: { severity: 'P3' } }, { kind: 'severity', data: { from: 'P2', to: 'P4' } }])).toBe(true);
    expect(approvalRequired(DEFAULT_SEVERITIES, 'P4', [{ kind: 'update', data: { severity: 'P1' } }])).toBe(false);
  });
});
