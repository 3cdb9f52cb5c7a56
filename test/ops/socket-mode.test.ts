/** Socket Mode with a second replica on the same PostgreSQL: refused at start-up, pointing to HTTP mode. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom } from '#src/opsroom.js';
import { KyselyLeases, openDatabase, ping } from '#store/index.js';
import { postgresBinaries, usePostgres, type TestPostgres } from '../support/peers/postgres.js';

const hasPg = postgresBinaries() !== undefined;

describe.skipIf(!hasPg)('Socket Mode and replicas', () => {
  let pg: TestPostgres | undefined;
  let dir = '';
  afterAll(async () => {
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a second Socket Mode replica stops with a message pointing to HTTP mode while the first is alive', async () => {
    pg = await usePostgres();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-socket-'));
    // The first replica: holds the lease and keeps renewing it, as a running one does.
    const first = await openDatabase(pg.url);
    const leases = new KyselyLeases(first);
    const renew = () => leases.tryLease('slack-socket-mode', 'replica-1', new Date(Date.now() + 20_000), new Date());
    expect(await renew()).toBe(true);
    const timer = setInterval(() => void renew(), 3000);
    try {
      const env = parseEnv({
        PORT: '0', DATABASE_URL: pg.url, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'none'),
        SLACK_BOT_TOKEN: 'xoxb-1-2-socket', SLACK_APP_TOKEN: 'xapp-1-A0-socket', SLACK_API_URL: 'http://127.0.0.1:1/api/', OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS',
      });
      const started = startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('silent'), instanceId: 'replica-2' });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(/Socket Mode runs one opsroom replica only, and replica "replica-1" is already connected.*use HTTP mode: unset SLACK_APP_TOKEN, set SLACK_SIGNING_SECRET/);
      expect((await leases.holder('slack-socket-mode', new Date()))?.owner).toBe('replica-1');
      await ping(first);
    } finally {
      clearInterval(timer);
      await first.close();
    }
  }, 60_000);
});
