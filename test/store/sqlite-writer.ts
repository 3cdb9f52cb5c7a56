/** Child process for sqlite-processes.test.ts: writes to a shared SQLite file and prints what it got. */
import { openDatabase } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { newIncident, event } from './fixtures.js';

const [url, name, count] = process.argv.slice(2);
const database = await openDatabase(url);
const store = new KyselyIncidentStore(database);
const ids: number[] = [];
const claims: string[] = [];
for (let i = 0; i < Number(count); i++) {
  ids.push((await store.create(newIncident({ title: `${name}-${i}` }), [event(`${name}-${i}`)], [])).id);
  if (await store.claim(`key-${i}`, new Date())) claims.push(`key-${i}`);
}
await database.close();
process.stdout.write(JSON.stringify({ ids, claims }));
