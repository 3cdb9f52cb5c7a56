import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '#commands/index.js';
import { MESSAGE_SHORTCUTS } from '#slack/ids.js';
import { registerListeners } from '#slack/listeners/index.js';

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

  it('lists exactly the message shortcuts the app registers, with their names', () => {
    const registered = registrations().filter(([kind]) => kind === 'shortcut').map(([, c]) => c as { callback_id: string; type: string });
    expect(registered.every((c) => c.type === 'message_action')).toBe(true);
    const listed = (manifest.features.shortcuts ?? []) as Record<string, unknown>[];
    expect(listed.map((c) => c.callback_id).sort()).toEqual(registered.map((c) => c.callback_id).sort());
    for (const c of listed) expect(c.type, String(c.callback_id)).toBe('message');
    expect(listed.map((c) => ({ callback_id: c.callback_id, name: c.name, description: c.description })))
      .toEqual(MESSAGE_SHORTCUTS.map((c) => ({ callback_id: c.callback_id, name: c.name, description: c.description })));
  });

  it('subscribes to the events the app listens to, with their scopes, at /slack/events', () => {
    const events = registrations().filter(([kind]) => kind === 'event').map(([, name]) => String(name));
    const subs = manifest.settings.event_subscriptions;
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    // Each Events API type the code listens to, as the manifest subscribes to it, and the scope that needs.
    const needs: Record<string, Array<[string, string]>> = { message: [['message.channels', 'channels:history'], ['message.groups', 'groups:history']] };
    for (const e of events) {
      expect(needs[e], `no manifest mapping for the ${e} event`).toBeDefined();
      for (const [sub, scope] of needs[e]) {
        expect(subs.bot_events, e).toContain(sub);
        expect(scopes, sub).toContain(scope);
      }
    }
    expect(events.length).toBeGreaterThan(0);
    expect(new URL(subs.request_url).pathname).toBe('/slack/events');
  });
});

/** What registerListeners registers on an app: [method, first argument] pairs (command, action, shortcut, event…). */
function registrations(): Array<[string, unknown]> {
  const seen: Array<[string, unknown]> = [];
  const app = new Proxy({}, { get: (_t, method) => (...args: unknown[]) => void seen.push([String(method), args[0]]) });
  registerListeners(app as never, {} as never);
  return seen;
}
