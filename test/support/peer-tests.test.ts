import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peerTestFiles } from './peer-tests.js';

const root = mkdtempSync(join(tmpdir(), 'opsroom-peer-tests-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};

describe('peerTestFiles', () => {
  it('finds files that import a probe, directly or through helpers, and nothing else', () => {
    write('test/support/peers/docker.ts', 'export function dockerAvailable() { return true }\nexport const freePort = 1;\n');
    write('test/support/browser.ts', 'export function chromiumAvailable() { return true }\n');
    write('test/a/direct.test.ts', "import { describe } from 'vitest';\nimport { dockerAvailable, type X } from '../support/peers/docker.js';\n");
    write('test/a/browser.test.ts', "import {\n  chromiumAvailable as has,\n} from '../support/browser.js';\n");
    write('test/b/helper.ts', "import { freePort } from './deep.js';\n");
    write('test/b/deep.ts', "import type { A } from './helper.js';\nimport { dockerAvailable } from '../support/peers/docker.js';\n");
    write('test/b/via-helper.test.ts', "import { thing } from './helper.js';\n");
    write('test/b/port-only.test.ts', "import { freePort } from '../support/peers/docker.js';\nimport { x } from 'dockerAvailable';\n");
    write('test/b/plain.test.ts', "import { describe } from 'vitest';\n// dockerAvailable() in a comment is not an import\n");
    expect(peerTestFiles(root)).toEqual(['test/a/browser.test.ts', 'test/a/direct.test.ts', 'test/b/via-helper.test.ts']);
  });

  it('classifies this repository: store and Docker tests need peers, the command parser does not', () => {
    const files = peerTestFiles(join(import.meta.dirname, '../..'));
    expect(files).toContain('test/store/outbox.test.ts');
    expect(files).toContain('test/executors/docker.test.ts');
    expect(files).toContain('test/e2e/incident.test.ts');
    expect(files).not.toContain('test/commands/parse.test.ts');
    expect(files).not.toContain('test/executors/http.test.ts'); // imports only freePort from peers/sshd
  });
});
