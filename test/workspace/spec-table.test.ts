import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methodTableFromSpec } from '#workspace/spec/extract-methods.js';
import { validateArgs } from '#workspace/spec/validate.js';

const SPEC = process.env.SLACK_OPENAPI_SPEC ?? new URL('../fixtures/specs/slack/web-api-openapi-v2.json', import.meta.url).pathname;

describe('the method table derived from Slack\'s OpenAPI spec', () => {
  it('matches the published spec', () => {
    const derived = methodTableFromSpec(JSON.parse(readFileSync(SPEC, 'utf8')));
    const committed = JSON.parse(readFileSync(new URL('../../src/workspace/spec/slack-methods.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(derived);
  });

  it('knows required and optional arguments', () => {
    expect(validateArgs('chat.postEphemeral', { channel: 'C1', text: 'x' })?.response_metadata?.messages).toEqual(['[ERROR] missing required field: user']);
    expect(validateArgs('views.open', { view: '{}' })?.response_metadata?.messages).toEqual(['[ERROR] missing required field: trigger_id']);
    expect(validateArgs('views.open', { view: '{}', interactivity_pointer: 'p' })).toBeUndefined();
    expect(validateArgs('conversations.history', { channel: 'C1', limit: 'ten' })?.error).toBe('invalid_arguments');
    expect(validateArgs('files.getUploadURLExternal', { filename: 'a.txt', length: 3, alt_text: '' })).toBeUndefined();
    expect(validateArgs('no.such.method', {})).toEqual({ ok: false, error: 'unknown_method' });
  });
});
