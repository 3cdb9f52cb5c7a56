import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom } from '#src/opsroom.js';

describe('the local workspace', () => {
  it('refuses to listen beyond loopback, where anyone could act as a responder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-loopback-'));
    try {
      const env = parseEnv({ PORT: '0', OPSROOM_HOST: '0.0.0.0', DATABASE_URL: `sqlite:${join(dir, 'o.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'none') });
      const started = startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('silent'), loops: false });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(/listens only on loopback \(OPSROOM_HOST=127\.0\.0\.1\), not on 0\.0\.0\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
