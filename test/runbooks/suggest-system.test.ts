/** Suggestions over the shipped runbooks: the incident's system first, each matched phrase once. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import { loadRunbooks, type LoadedRunbook } from '#core/runbooks/loader.js';
import { suggest } from '#core/runbooks/suggest.js';
import { CONFIG, EXPECTED_IDS, INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const all: LoadedRunbook[] = [];

beforeAll(async () => {
  const config = loadFileConfig(CONFIG);
  const inventory = (await loadInventory(INVENTORY)).inventory!;
  for (const system of Object.keys(EXPECTED_IDS)) {
    const r = await loadRunbooks(`${RUNBOOKS}/${system}`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory });
    expect(r.errors).toEqual([]);
    all.push(...r.runbooks);
  }
});

describe('suggestions of the shipped runbooks', () => {
  it('"Redis caído" in blatam suggests blatam\'s runbook first; other systems\' Redis runbooks follow', () => {
    const s = suggest(all, { title: 'Redis caído', system: 'blatam' }, 5);
    expect(s[0].runbook.id).toBe('blatam/system-down');
    expect(s[0].matched[0]).toBe('system blatam');
    expect(s.slice(1).map((x) => x.runbook.id)).toEqual(expect.arrayContaining(['denis/redis-down', 'bff/redis-down']));
  });

  it('without a system, the Redis runbooks come first', () => {
    const s = suggest(all, { title: 'Redis caído' }, 2);
    expect(s.map((x) => x.runbook.id).sort()).toEqual(['bff/redis-down', 'denis/redis-down']);
  });

  it.each(['Redis caído', 'Sistema caído: blatam no responde', 'Dashboard caído', 'Redis down, redis OOM'])('"%s": every matched phrase is listed once', (title) => {
    for (const system of [undefined, 'blatam', 'minimarket']) {
      for (const x of suggest(all, { title, system }, Number.POSITIVE_INFINITY)) {
        const folded = x.matched.map((m) => m.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
        expect(new Set(folded).size, `${x.runbook.id}: ${x.matched.join(', ')}`).toBe(folded.length);
      }
    }
  });
});
