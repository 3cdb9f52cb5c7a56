/** What demo:up prints once it is up: the one set of instructions (the README says the same). */
export function howToRun(inv: string): string {
  return [
    `The demo inventory ${inv} points the blatam and minimarket runbooks at this engine.`,
    'From the terminal:',
    '  npm run demo:break dashboard stopped',
    `  npm run opsroom -- run minimarket/dashboard-down --inventory ${inv}`,
    'In the local workspace (port 3001: the demo\'s Grafana holds 3000):',
    `  OPSROOM_INVENTORY=${inv} PORT=3001 npm start`,
    '  then open http://localhost:3001, type /incident open P1 Dashboard caído and press Start on',
    '  the suggested minimarket/dashboard-down (it needs no parameters), then Run diagnostics.',
    'Undo: npm run demo:fix dashboard · remove everything: npm run demo:down',
  ].join('\n');
}
