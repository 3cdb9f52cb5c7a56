import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { peerTestFiles } from './test/support/peer-tests.js';

// Tests that import a peer probe (test/support/peers/, test/support/browser.ts) form the `peers`
// project; the rest are `unit`. `npm test` runs both, `npm run test:unit` only the first.
const peers = peerTestFiles(import.meta.dirname);

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
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: peers } },
      { extends: true, test: { name: 'peers', include: peers } },
    ],
  },
});
