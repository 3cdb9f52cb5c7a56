// `npm run build`: compiles src/ and commands/ to dist/ (type-checked) and copies the files the
// code reads at run time. --no-check transpiles only (prepare); --if-stale does nothing when
// dist/ is current.
import { build, isCurrent } from './dist.mjs';

const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--no-check', '--if-stale'].includes(a));
if (unknown.length) {
  process.stderr.write(`build: unknown option ${unknown.join(' ')} (known: --no-check, --if-stale)\n`);
  process.exit(2);
}
if (args.includes('--if-stale') && isCurrent()) process.stderr.write('build: dist/ is current\n');
else process.exitCode = build({ check: !args.includes('--no-check') });
