import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFileConfig } from '#config/file.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-recovery-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const load = (text: string) => {
  const path = join(dir, 'opsroom.yml');
  writeFileSync(path, text);
  return loadFileConfig(path);
};

describe('opsroom.yml recovery', () => {
  it('defaults to checks every minute for 10 minutes', () => {
    expect(loadFileConfig(join(dir, 'absent.yml')).recovery).toEqual({ windowMinutes: 10, everyMinutes: 1 });
    expect(load('recovery: { windowMinutes: 20 }\n').recovery).toEqual({ windowMinutes: 20, everyMinutes: 1 });
  });

  it('refuses a bad setting with file, line and name', () => {
    expect(() => load('channels: {}\nrecovery:\n  windowMinutes: 5\n  everyMinutes: 6\n')).toThrow(/opsroom\.yml:4:17 recovery\.everyMinutes: everyMinutes must not exceed windowMinutes/);
    expect(() => load('recovery: { windowMinutes: -1 }\n')).toThrow(/recovery\.windowMinutes/);
    expect(() => load('recovery: { every: 1 }\n')).toThrow(/recovery/);
  });
});
