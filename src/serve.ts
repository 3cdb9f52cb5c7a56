import { dirname, join } from 'node:path';
import { ConfigError, parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { startOpsroom } from './opsroom.js';

/** The local workspace keeps its state beside a SQLite database, so a restart keeps the threads. */
const localStatePath = (databaseUrl: string) =>
  databaseUrl.startsWith('sqlite:') && !databaseUrl.includes(':memory:')
    ? join(dirname(databaseUrl.slice('sqlite:'.length)), 'workspace.json')
    : undefined;

/** Runs the bot until SIGTERM/SIGINT. Bad configuration: one line on stderr, exit code 1. */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Signals are taken from the start: a SIGTERM during start-up shuts down once started.
  let signalled = false;
  let onSignal = () => { signalled = true; };
  const signal = () => onSignal();
  process.once('SIGTERM', signal);
  process.once('SIGINT', signal);
  let opsroom;
  try {
    const settings = parseEnv(env);
    opsroom = await startOpsroom({
      env: settings, file: loadFileConfig(settings.OPSROOM_CONFIG), workspaceState: localStatePath(settings.DATABASE_URL),
    });
  } catch (e) {
    process.off('SIGTERM', signal);
    process.off('SIGINT', signal);
    if (e instanceof ConfigError) {
      process.stderr.write(`opsroom: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const where = opsroom.local
    ? `opsroom is running with a local Slack workspace: open ${opsroom.url}`
    : `opsroom is listening on ${opsroom.url} (Slack requests: POST /slack/events)`;
  process.stdout.write(`${where}\n`);
  return new Promise<number>((resolve) => {
    // Graceful: new requests get 503, requests inside finish, then everything closes. Bounded.
    const graceMs = Number(env.OPSROOM_SHUTDOWN_GRACE_MS) || 10_000;
    onSignal = () => {
      setTimeout(() => {
        opsroom.log.error({ graceMs }, 'shutdown took too long; exiting');
        resolve(1);
      }, graceMs + 2000).unref();
      void opsroom.shutdown(graceMs).then(() => resolve(0), (e) => {
        opsroom.log.error({ error: String(e) }, 'shutdown failed');
        resolve(1);
      });
    };
    if (signalled) onSignal();
  });
}
