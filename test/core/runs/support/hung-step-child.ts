/** Child process for the restart test: starts a step that never finishes, says so, and waits to be killed. */
import { RunEngine } from '#core/runs/engine.js';
import { openDatabase } from '#store/db.js';
import { KyselyRunStore } from '#store/runs.js';
import { neverReturns, ScriptedRunner, step } from './scripted-runner.js';

const [url] = process.argv.slice(2);
const database = await openDatabase(url);
const store = new KyselyRunStore(database);
const engine = new RunEngine({ store, runner: new ScriptedRunner().on('restart:redis', neverReturns) });
const restart = step('restart', { command: { kind: 'docker', action: 'restart', target: { container: 'redis' } }, timeoutMs: 600_000 });
const run = await engine.start({ runbookId: 'redis-down', incidentId: null, params: {}, startedBy: 'U1', steps: [step('ping'), restart] });
await engine.runStep(run.id, 'ping', { actor: 'U1' });
await engine.startStep(run.id, 'restart', { actor: 'U1' });
process.stdout.write(`${JSON.stringify({ runId: run.id })}\n`);
setInterval(() => undefined, 60_000);
