/** Child process for deliveries.test.ts: claims a delivery, says so, then hangs until it is killed. */
import { openDatabase } from '#store/db.js';
import { KyselyDeliveries } from '#store/deliveries.js';

const [url, key] = process.argv.slice(2);
const database = await openDatabase(url);
const deliveries = new KyselyDeliveries(database, { owner: 'doomed', leaseMs: 1000 });
void deliveries.run(key, async () => {
  process.stdout.write('CLAIMED\n');
  await new Promise(() => {}); // killed before it commits anything
});
