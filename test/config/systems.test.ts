import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFileConfig, severityNamesOf, systemsOf } from '#config/file.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-systems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const write = (text: string) => {
  const path = join(mkdtempSync(join(dir, `${++files}-`)), 'opsroom.yml');
  writeFileSync(path, text);
  return path;
};

describe('opsroom.yml systems:', () => {
  it('reads channels, announcements, names, PagerDuty service and people', () => {
    const c = loadFileConfig(write([
      'systems:',
      '  blatam:',
      '    channel: C0BLATAM',
      '    announce: { channel: C0STATUS, severities: [Crítica] }',
      '    severities: { Crítica: P1, Alta: P2 }',
      '    pagerduty: { service: PBLATAM }',
      '    people: { responders: [U0ERIN, S0BLATAM] }',
    ].join('\n')));
    expect(c.systems.blatam).toMatchObject({
      channel: 'C0BLATAM', announce: { channel: 'C0STATUS', severities: ['Crítica'] }, pagerduty: { service: 'PBLATAM' },
      people: { responders: ['U0ERIN', 'S0BLATAM'], oncall: [] },
    });
    // Runbook checks see the names through severityAliases.
    expect(c.severityAliases.blatam).toEqual({ Crítica: 'P1', Alta: 'P2' });
  });

  it('folds the deprecated severityAliases in: a system\'s own names win', () => {
    const c = loadFileConfig(write([
      'severityAliases:',
      '  blatam: { Crítica: P1, Baja: P4 }',
      '  bff: { Sev 1: P1 }',
      'systems:',
      '  blatam: { severities: { Crítica: P2 } }',
    ].join('\n')));
    const systems = systemsOf(c);
    expect(systems.blatam.severities).toEqual({ Crítica: 'P2', Baja: 'P4' });
    expect(systems.bff.severities).toEqual({ 'Sev 1': 'P1' });
    expect(severityNamesOf(c)).toEqual({ blatam: { Crítica: 'P2', Baja: 'P4' }, bff: { 'Sev 1': 'P1' } });
  });

  it.each([
    [['systems:', '  blatam:', '    channel: general'], /opsroom\.yml:3:14 systems\.blatam\.channel: expected a channel ID/],
    [['systems:', '  Blatam: {}'], /opsroom\.yml:2:11 systems\.Blatam: a system name is lower case/],
    [['systems:', '  blatam:', '    severities:', '      Crítica: P9'], /opsroom\.yml:4:16 systems\.blatam\.severities\.Crítica: "Crítica" maps to "P9"/],
    [['systems:', '  blatam:', '    severities: { Crítica: P1 }', '    announce:', '      channel: C0X', '      severities: [Crítica, Urgente]'], /opsroom\.yml:6:29 systems\.blatam\.announce\.severities\.1: "Urgente" is neither/],
    [['systems:', '  blatam:', '    people: { responders: [carol] }'], /opsroom\.yml:3:28 systems\.blatam\.people\.responders\.0: expected a Slack user ID/],
    [['systems:', '  blatam:', '    chanel: C0X'], /opsroom\.yml:3:5 systems\.blatam: Unrecognized key: "chanel"/],
  ])('an error names the file, line and setting: %j', (lines, error) => {
    expect(() => loadFileConfig(write(lines.join('\n')))).toThrow(error);
  });
});
