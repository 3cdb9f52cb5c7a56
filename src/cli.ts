/**
 * The `opsroom` command: a small dispatcher. `opsroom <command> [args…]` runs src/cli/<command>.ts
 * (.js once compiled), a module exporting `summary` (one line for the usage text) and
 * `main(args): Promise<number>` (the exit code). Adding a command is adding a file there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export interface CliCommand {
  summary: string;
  main(args: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'cli');
const NAME_RE = /^[a-z][a-z0-9-]*$/;

const fileOf = (name: string) => ['.ts', '.js'].map((ext) => join(commandsDir, name + ext)).find((f) => existsSync(f));

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  const file = NAME_RE.test(name) ? fileOf(name) : undefined;
  if (!file) return undefined;
  return (await import(pathToFileURL(file).href)) as CliCommand;
}

/** Usage text listing every command and its summary (read from the file: no module is loaded). */
export async function usage(): Promise<string> {
  // Compiled, the folder holds .js files (and their .js.map).
  const names = [...new Set(readdirSync(commandsDir).filter((f) => /^[a-z][a-z0-9-]*\.[jt]s$/.test(f)).map((f) => f.slice(0, -3)))].sort();
  // Files without a summary are helpers of the commands (cli/names.ts, cli/lint-fix.ts…), not commands.
  const lines = names.flatMap((n) => {
    const text = readFileSync(fileOf(n)!, 'utf8');
    const found = /export const summary\s*=\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/.exec(text);
    return found ? [`  ${n.padEnd(10)} ${found[2].replace(/\\(.)/g, '$1')}`] : [];
  });
  return ['usage: opsroom <command> [args…]', '', 'commands:', ...lines].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const text = await usage();
    if (name === undefined) {
      process.stderr.write(text + '\n');
      return 2;
    }
    process.stdout.write(text + '\n');
    return 0;
  }
  const cmd = await loadCommand(name);
  if (!cmd || typeof cmd.main !== 'function') {
    process.stderr.write(`opsroom: unknown command "${name}"\n\n${await usage()}\n`);
    return 2;
  }
  return cmd.main(args);
}

/** Output piped into a reader that stops early (`| head -1`): end quietly instead of an EPIPE stack trace. */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`opsroom: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
