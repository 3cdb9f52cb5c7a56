// `npm start`: runs the compiled bot (dist/src/main.js), rebuilding it first (transpile only) when
// a file under src/ or commands/ changed since the last build. Without TypeScript installed and no
// current build, it runs the sources through tsx instead.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, DIST, isCurrent, ROOT, tscPath } from './dist.mjs';

let entry = join(DIST, 'src', 'main.js');
if (!isCurrent()) {
  if (tscPath()) {
    process.stderr.write('start: dist/ is missing or older than the sources; building\n');
    if (build({ check: false }) !== 0) process.exit(1);
  } else {
    process.stderr.write('start: dist/ is missing or stale and typescript is not installed; running the sources through tsx\n');
    (await import('tsx/esm/api')).register();
    entry = join(ROOT, 'src', 'main.ts');
  }
}
await import(pathToFileURL(entry).href);
