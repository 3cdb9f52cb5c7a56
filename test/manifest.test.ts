import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.js';

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('lists exactly the slash commands in commands/, with their descriptions and hints', () => {
    const listed = manifest.features.slash_commands.map((c: Record<string, unknown>) => ({
      command: c.command, description: c.description, usage_hint: c.usage_hint,
    }));
    const defined = COMMANDS.map((c) => ({ command: c.name, description: c.description, usage_hint: c.usageHint }));
    expect(listed).toEqual(defined);
  });

  it('has Slack escape users, channels and links in every command, as the parser and the local workspace expect', () => {
    for (const c of manifest.features.slash_commands) expect(c.should_escape, c.command).toBe(true);
  });

  it('sends commands and interactivity to /slack/events', () => {
    for (const c of manifest.features.slash_commands) expect(new URL(c.url).pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/events');
  });

  it('is a valid manifest shape with a bot user, scopes and the Socket Mode setting', () => {
    expect(manifest.display_information.name).toBeTruthy();
    expect(manifest.features.bot_user.display_name).toBeTruthy();
    expect(typeof manifest.settings.socket_mode_enabled).toBe('boolean');
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    for (const needed of ['chat:write', 'commands']) expect(scopes).toContain(needed);
    expect(new Set(scopes).size).toBe(scopes.length);
    for (const c of manifest.features.slash_commands) {
      expect(c.command).toMatch(/^\/[a-z0-9_-]{1,31}$/);
      expect(c.description.length).toBeLessThanOrEqual(100);
      expect((c.usage_hint ?? '').length).toBeLessThanOrEqual(1000);
    }
  });
});
