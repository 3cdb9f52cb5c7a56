// Checks a Web API call's arguments against Slack's published spec (slack-methods.json, derived
// from web-api-openapi-v2.json) plus the arguments Slack added after that spec was published.
import { readFileSync } from 'node:fs';
import type { ArgSpec, MethodTable } from './extract-methods.js';

const table: MethodTable = JSON.parse(readFileSync(new URL('./slack-methods.json', import.meta.url), 'utf8'));

const opt = (type = 'string'): ArgSpec => ({ required: false, type });
const req = (type = 'string'): ArgSpec => ({ required: true, type });

/** Arguments real Slack accepts on every method (the WebClient adds team_id itself). */
const GLOBAL_ARGS = new Set(['token', 'team_id']);

/** Arguments and methods Slack documents today that the published spec predates. */
const ADDITIONS: MethodTable = {
  'chat.postMessage': { metadata: opt(), markdown_text: opt() },
  'chat.update': { metadata: opt(), file_ids: opt(), reply_broadcast: opt('boolean'), markdown_text: opt() },
  'chat.postEphemeral': { markdown_text: opt() },
  'conversations.history': { include_all_metadata: opt('boolean') },
  'conversations.replies': { include_all_metadata: opt('boolean') },
  'conversations.open': { prevent_creation: opt('boolean') },
  'views.open': { interactivity_pointer: opt() },
  'views.push': { interactivity_pointer: opt() },
  'files.getUploadURLExternal': { filename: req(), length: req('integer'), alt_txt: opt(), alt_text: opt(), snippet_type: opt() },
  'files.completeUploadExternal': { files: req(), channel_id: opt(), channels: opt(), initial_comment: opt(), thread_ts: opt(), blocks: opt() },
};

/** One alternative satisfies a required argument (Slack accepts either). */
const ALTERNATIVES: Record<string, Record<string, string>> = {
  'views.open': { trigger_id: 'interactivity_pointer' },
  'views.push': { trigger_id: 'interactivity_pointer' },
};

export type ApiError = { ok: false; error: string; response_metadata?: { messages: string[] } };

function knownMethod(method: string): boolean {
  return method in table || method in ADDITIONS;
}

function methodArgs(method: string): Record<string, ArgSpec> | undefined {
  if (!knownMethod(method)) return undefined;
  return { ...(table[method] ?? {}), ...(ADDITIONS[method] ?? {}) };
}

/** Returns the error Slack answers for these arguments, or undefined when they are acceptable. */
export function validateArgs(method: string, args: Record<string, unknown>): ApiError | undefined {
  const spec = methodArgs(method);
  if (!spec) return { ok: false, error: 'unknown_method' };
  const messages: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (GLOBAL_ARGS.has(name)) continue;
    const arg = spec[name];
    if (!arg) {
      messages.push(`[ERROR] unknown argument: ${name}`);
      continue;
    }
    if (arg.type === 'integer' && !/^-?\d+$/.test(String(value))) {
      messages.push(`[ERROR] invalid type for argument ${name}: expected integer, got ${JSON.stringify(value)}`);
    }
  }
  for (const [name, arg] of Object.entries(spec)) {
    const alt = ALTERNATIVES[method]?.[name];
    const present = (k: string) => args[k] !== undefined && args[k] !== '';
    if (arg.required && !present(name) && !(alt && present(alt))) {
      messages.push(`[ERROR] missing required field: ${name}`);
    }
  }
  if (messages.length === 0) return undefined;
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages } };
}
