import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { peerTestFiles, systemTestFiles } from './test/support/peer-tests.js';

// Tests that import a peer probe (test/support/peers/, test/support/browser.ts) form the `peers`
// project; the others that start a process or the whole app form `system`; the rest are `unit`.
// `npm test` runs all three, `npm run test:unit` only `unit` (test/support/peer-tests.ts).
const peers = peerTestFiles(import.meta.dirname);
const system = systemTestFiles(import.meta.dirname);

export default defineConfig({
  test: {
    // Demo images built once, then imported by every fresh private dockerd (demo/images.ts).
    env: { OPSROOM_DEMO_IMAGE_CACHE: process.env.OPSROOM_DEMO_IMAGE_CACHE ?? join(import.meta.dirname, 'test-artifacts', 'demo-images') },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...peers, ...system] } },
      { extends: true, test: { name: 'system', include: system } },
      { extends: true, test: { name: 'peers', include: peers } },
    ],
  },
});
