import { describe, expect, it } from 'vitest';
import { suggest } from '#core/runbooks/suggest.js';

const rb = (id: string, title: string, keywords: string[], services: string[] = []) => ({ id, title, match: { keywords, services } });
const ids = (s: Array<{ runbook: { id: string } }>) => s.map((x) => x.runbook.id);
const catalog = [
  rb('denis/redis-down', 'Redis caído', ['redis', 'rate limit'], ['redis']),
  rb('minimarket/dashboard-down', 'Dashboard no responde', ['dashboard', 'service down', 'no responde'], ['dashboard']),
  rb('minimarket/database-down', 'Base de datos no conecta', ['postgres', 'database', 'base de datos'], ['postgres']),
  rb('minimarket/high-latency', 'Latencia alta', ['latencia', 'latency', 'p95'], []),
  rb('blatam/morning-routine', 'Morning routine', [], []),
];

describe('suggest', () => {
  it('ranks by service, then keywords (whole words, accents and case ignored)', () => {
    const s = suggest(catalog, { title: 'Dashboard NO RESPONDE desde las 9', service: 'dashboard' });
    expect(s.map((x) => x.runbook.id)).toEqual(['minimarket/dashboard-down']);
    expect(s[0].matched).toEqual(['dashboard', 'no responde']);
  });

  it('matches a service given without any keyword in the title', () => {
    expect(suggest(catalog, { title: 'Checkout broken', service: 'Postgres' }).map((x) => x.runbook.id)).toEqual([
      'minimarket/database-down',
    ]);
  });

  it('orders several matches by score and leaves out runbooks that do not match', () => {
    const s = suggest(catalog, { title: 'Latencia alta en dashboard: redis rate limit' });
    // redis: service 3 + "rate limit" 4 + title word 0.5; dashboard: service 3 + title word 0.5; latency: keyword 2 + title words 1
    expect(s.map((x) => x.runbook.id)).toEqual(['denis/redis-down', 'minimarket/dashboard-down', 'minimarket/high-latency']);
  });

  it('does not match parts of words', () => {
    expect(suggest(catalog, { title: 'redistribution of databases' })).toEqual([]);
  });

  it('respects the limit', () => {
    expect(suggest(catalog, { title: 'redis dashboard postgres latency' }, 2)).toHaveLength(2);
  });

  it('lists each matched phrase once and counts it once, whatever its case or accents', () => {
    const twice = [rb('a/cache', 'Cache', ['Redis', 'redis', 'caído', 'CAIDO'], ['redis'])];
    const [s] = suggest(twice, { title: 'REDIS caido' });
    expect(s.matched).toEqual(['redis', 'caído']);
    expect(s.score).toBe(3 + 2);
  });

  it("puts the incident's system's runbooks first, then the service, then the score", () => {
    const mixed = [
      rb('denis/redis-down', 'Redis caído', ['redis', 'redis caído', 'caído'], ['redis']),
      rb('bff/redis-down', 'Redis no responde', ['redis', 'caído'], ['redis']),
      rb('blatam/system-down', 'Sistema caído', ['caído'], ['blatam']),
      rb('blatam/high-memory', 'Memoria alta', ['memoria'], []),
    ];
    const t = { title: 'Redis caído' };
    expect(ids(suggest(mixed, t))).toEqual(['denis/redis-down', 'bff/redis-down', 'blatam/system-down']);
    const s = suggest(mixed, { ...t, system: 'blatam' });
    expect(ids(s)).toEqual(['blatam/system-down', 'denis/redis-down', 'bff/redis-down']);
    expect(s[0].matched).toEqual(['system blatam', 'caído']);
    // A runbook of the system that matches nothing is not suggested for being the system's.
    expect(ids(s)).not.toContain('blatam/high-memory');
    // The service named on the incident ranks above a higher keyword score.
    expect(ids(suggest([mixed[0], rb('x/cache', 'Cache', [], ['cache'])], { title: 'Redis caído', service: 'cache' }))).toEqual(['x/cache', 'denis/redis-down']);
  });

  it('names the system once when a keyword names it too', () => {
    const [s] = suggest([rb('blatam/system-down', 'Sistema caído', ['blatam', 'caído'], [])], { title: 'blatam caído', system: 'blatam' });
    expect(s.matched).toEqual(['blatam', 'caído']);
  });
});
