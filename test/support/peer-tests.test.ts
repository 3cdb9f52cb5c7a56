import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peerTestFiles, systemTestFiles } from './peer-tests.js';

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

describe('systemTestFiles', () => {
  // Built from parts, so that this file itself imports no process module and starts nothing.
  const imp = (names: string, from: string) => `${['import', names, 'from'].join(' ')} '${from}';\n`;
  const cp = ['node', 'child_process'].join(':');

  it('finds files that start a process or the app, directly or through helpers, but no peer test', () => {
    const dir = mkdtempSync(join(root, 'system-'));
    const put = (rel: string, text: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    put('test/support/peers/sshd.ts', `${imp('{ spawn }', cp)}export const sshdAvailable = () => true;\nexport const freePort = 1;\n`);
    put('test/support/app.ts', `${imp('{ startOpsroom }', '#src/opsroom.js')}export const startLocal = startOpsroom;\n`);
    put('test/a/spawn.test.ts', imp('{ spawnSync }', cp));
    put('test/a/bare.test.ts', imp('{ execFile as run }', cp.replace('node:', '')));
    put('test/a/dynamic.test.ts', `const { spawn } = await ${'import'}('${cp}');\n`);
    put('test/a/app.test.ts', imp('{ startOpsroom, type Opsroom }', '#src/opsroom.js'));
    put('test/a/via-helper.test.ts', imp('{ startLocal }', '../support/app.js'));
    put('test/a/peer.test.ts', imp('{ spawn }', cp) + imp('{ sshdAvailable }', '../support/peers/sshd.js'));
    put('test/b/port-only.test.ts', imp('{ freePort }', '../support/peers/sshd.js'));
    put('test/b/plain.test.ts', `${imp('{ parse }', '#commands/parse.js')}// spawn('node') and startLocal() in a comment start nothing\n`);
    expect(systemTestFiles(dir)).toEqual(['test/a/app.test.ts', 'test/a/bare.test.ts', 'test/a/dynamic.test.ts', 'test/a/spawn.test.ts', 'test/a/via-helper.test.ts']);
    expect(peerTestFiles(dir)).toEqual(['test/a/peer.test.ts']);
  });

  it('classifies this repository: CLI and whole-app tests are system, peer tests stay peers, this file is unit', () => {
    const here = join(import.meta.dirname, '../..');
    const system = systemTestFiles(here);
    const peers = new Set(peerTestFiles(here));
    expect(system).toContain('test/cli/lint.test.ts');
    expect(system).toContain('test/slack/incident-flow.test.ts');
    expect(system).not.toContain('test/cli/run.test.ts'); // needs Docker: a peer test
    expect(system).not.toContain('test/commands/parse.test.ts');
    expect(system).not.toContain('test/support/peer-tests.test.ts');
    expect(system.filter((f) => peers.has(f))).toEqual([]);
  });
});
