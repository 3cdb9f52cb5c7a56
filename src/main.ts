import { dirname, join } from 'node:path';
import { ConfigError, parseEnv } from './config/env.js';
import { loadFileConfig } from './config/file.js';
import { startOpsroom } from './opsroom.js';

/** Composition root: config -> adapters -> core services -> start. */
/** The local workspace keeps its state beside a SQLite database, so a restart keeps the threads. */
const localStatePath = (databaseUrl: string) =>
  databaseUrl.startsWith('sqlite:') && !databaseUrl.includes(':memory:')
    ? join(dirname(databaseUrl.slice('sqlite:'.length)), 'workspace.json')
    : undefined;

async function main() {
  let opsroom;
  try {
    const env = parseEnv(process.env);
    opsroom = await startOpsroom({
      env, file: loadFileConfig(env.OPSROOM_CONFIG), workspaceState: localStatePath(env.DATABASE_URL),
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`opsroom: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const where = opsroom.local
    ? `opsroom is running with a local Slack workspace: open ${opsroom.url}`
    : `opsroom is listening on ${opsroom.url} (Slack requests: POST /slack/events)`;
  process.stdout.write(`${where}\n`);
  const stop = async () => {
    await opsroom.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
