/**
 * One opsroom replica as a child process (the replica test starts three): the environment is the
 * real configuration; REMINDER_EVERY_MS makes the reminder lease loop tick faster. Prints
 * `READY <url>` once listening; SIGTERM shuts it down gracefully.
 */
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom } from '#src/opsroom.js';

const env = parseEnv(process.env);
const ops = await startOpsroom({
  env, file: loadFileConfig(env.OPSROOM_CONFIG), logger: createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never),
  reminderEveryMs: Number(process.env.REMINDER_EVERY_MS ?? 30_000),
});
process.stdout.write(`READY ${ops.url}\n`);
process.once('SIGTERM', () => void ops.shutdown(5000).then(() => process.exit(0), () => process.exit(1)));
