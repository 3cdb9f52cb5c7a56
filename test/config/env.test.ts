import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';

describe('environment', () => {
  it('has defaults that run locally with no credentials', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, DATABASE_URL: 'sqlite:./data/opsroom.db', SLACK_API_URL: 'https://slack.com/api/' });
    expect(env.SLACK_BOT_TOKEN).toBeUndefined();
  });
  it.each([
    [{ PORT: 'abc' }, /^PORT/],
    [{ PORT: '70000' }, /^PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be sqlite:<path> or postgres/],
    [{ SLACK_BOT_TOKEN: 'nope' }, /SLACK_BOT_TOKEN must be a bot token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', OPSROOM_INCIDENT_CHANNEL: 'C0123' }, /SLACK_SIGNING_SECRET is required/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, /OPSROOM_INCIDENT_CHANNEL is required/],
    [{ OPSROOM_INCIDENT_CHANNEL: '#incidents' }, /OPSROOM_INCIDENT_CHANNEL must be a channel ID/],
    [{ SLACK_API_URL: 'not a url' }, /SLACK_API_URL must be a URL/],
  ])('refuses %o with one line naming the setting', (env, message) => {
    expect(() => parseEnv(env)).toThrow(message);
  });

  it('stops start-up with that one line and exit code 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: 'nope' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => !/npm warn/.test(l))).toEqual(['opsroom: PORT must be a number']);
  });
});

describe('opsroom.yml', () => {
  it('reports file, line and setting for a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-config-'));
    const path = join(dir, 'opsroom.yml');
    writeFileSync(path, 'channels:\n  incidents: C0INC\npermissions:\n  runners: [alice]\n');
    expect(() => loadFileConfig(path)).toThrow(/opsroom\.yml:4:\d+ permissions\.runners\.0: /);
    writeFileSync(path, 'channels: [\n');
    expect(() => loadFileConfig(path)).toThrow(/opsroom\.yml:\d+:\d+ /);
    writeFileSync(path, 'chanels: {}\n');
    expect(() => loadFileConfig(path)).toThrow(/chanels/);
  });
});
