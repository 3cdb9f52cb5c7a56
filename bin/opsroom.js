#!/usr/bin/env node
// The installed `opsroom` command: runs the compiled CLI (dist/src/cli.js) when dist/ is current
// (see scripts/dist.mjs), else src/cli.ts under tsx.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCurrent, ROOT } from '../scripts/dist.mjs';

const args = isCurrent()
  ? [join(ROOT, 'dist', 'src', 'cli.js')]
  : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, join(ROOT, 'src', 'cli.ts')];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; only pass SIGTERM on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
