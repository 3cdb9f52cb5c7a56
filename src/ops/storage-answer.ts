/**
 * A Slack request that fails because storage is down (database locked, read-only or full disk,
 * PostgreSQL gone) still gets an answer: the person reads "opsroom cannot save right now, try
 * again in a moment" instead of Slack's timeout, and the process goes on.
 */
import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '#src/log.js';
import { STORAGE_UNAVAILABLE, storageFault } from '#store/guard.js';

type Args = AnyMiddlewareArgs & AllMiddlewareArgs & {
  ack?: (r?: unknown) => Promise<void>;
  respond?: (r: unknown) => Promise<unknown>;
};

export function answerStorageFaults(log: Logger) {
  return async (args: Args): Promise<void> => {
    try {
      await args.next();
    } catch (e) {
      const reason = storageFault(e) ?? storageFault((e as { original?: unknown })?.original);
      if (!reason) throw e;
      log.warn({ reason, type: (args.body as { type?: string })?.type }, 'slack request failed: storage unavailable');
      const message = { response_type: 'ephemeral', replace_original: false, text: `:warning: ${STORAGE_UNAVAILABLE}` };
      const isCommand = 'command' in args && args.command !== undefined;
      let acked = false;
      try {
        // Only a slash command's acknowledgement can carry the message; other kinds answer through response_url.
        await args.ack?.(isCommand ? message : undefined);
        acked = isCommand;
      } catch { /* acknowledged already */ }
      if (!acked) await args.respond?.(message).catch(() => undefined);
    }
  };
}
