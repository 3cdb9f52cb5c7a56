/**
 * npm run demo:up [-- --isolated] [-- --project minimarket]
 * npm run demo:break <service> [stopped|unhealthy|errors|memory]
 * npm run demo:fix <service>
 * npm run demo:down
 * tsx demo/cli.ts status
 */
import { BREAK_MODES, demoUp, openDemo, type BreakMode, type Demo } from './environment.js';
import { howToRun as instructions } from './instructions.js';

const howToRun = (demo: Demo) => instructions(demo.state.inventoryPath ?? '<the demo inventory>');

const [command, ...args] = process.argv.slice(2);
const log = (line: string) => console.log(line);

function table(demo: Demo): string {
  const rows = demo.state.endpoints.map((e) => {
    const broken = demo.state.broken[`${e.project}/${e.service}`];
    return `  ${`${e.project}/${e.service}`.padEnd(26)} ${e.container.padEnd(22)} ${(e.url ?? `${e.address}:${e.port}`).padEnd(24)} ${broken ? `BROKEN: ${broken}` : ''}`;
  });
  return rows.join('\n');
}

async function need(): Promise<Demo> {
  const demo = await openDemo();
  if (!demo) throw new Error('No demo is up: run `npm run demo:up` first');
  return demo;
}

async function main(): Promise<void> {
  switch (command) {
    case 'up': {
      const layout = args.includes('--isolated') ? 'isolated' : 'seed';
      const i = args.indexOf('--project');
      const projects = i >= 0 ? [args[i + 1] as 'blatam' | 'minimarket'] : undefined;
      const demo = await demoUp({ layout, projects, log });
      log(`\nDemo is up:\n${table(demo)}\n\n${howToRun(demo)}`);
      return;
    }
    case 'break': {
      const [name, mode = 'stopped'] = args;
      if (!name) throw new Error(`Usage: npm run demo:break <service> [${BREAK_MODES.join('|')}]`);
      if (!BREAK_MODES.includes(mode as BreakMode)) throw new Error(`Unknown mode "${mode}": use ${BREAK_MODES.join(', ')}`);
      const e = await (await need()).break(name, mode as BreakMode);
      log(`${e.project}/${e.service} (${e.container}) is now broken: ${mode}`);
      return;
    }
    case 'fix': {
      const [name] = args;
      if (!name) throw new Error('Usage: npm run demo:fix <service>');
      const e = await (await need()).fix(name);
      log(`${e.project}/${e.service} (${e.container}) is healthy again`);
      return;
    }
    case 'status': {
      const demo = await need();
      log(`${table(demo)}\n\n${howToRun(demo)}`);
      return;
    }
    case 'env': {
      log(`export DOCKER_HOST=${(await need()).dockerHost}`);
      return;
    }
    case 'down': {
      const demo = await openDemo();
      if (!demo) { log('No demo is up.'); return; }
      await demo.down();
      log('Demo removed.');
      return;
    }
    default:
      throw new Error('Usage: tsx demo/cli.ts up|break <service> [mode]|fix <service>|status|env|down');
  }
}

main().catch((e: Error) => {
  console.error(`demo: ${e.message}`);
  process.exit(1);
});
