import { describe, expect, it } from 'vitest';
import { suggest } from '../../../src/core/runbooks/suggest.js';

const rb = (id: string, title: string, keywords: string[], services: string[] = []) => ({ id, title, match: { keywords, services } });
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
    expect(s[0].matched).toEqual(['dashboard', 'dashboard', 'no responde']);
  });

  it('matches a service given without any keyword in the title', () => {
    expect(suggest(catalog, { title: 'Checkout broken', service: 'Postgres' }).map((x) => x.runbook.id)).toEqual([
      'minimarket/database-down',
    ]);
  });

  it('orders several matches by score and leaves out runbooks that do not match', () => {
    const s = suggest(catalog, { title: 'Latencia alta en dashboard: redis rate limit' });
    // redis: service 3 + redis 2 + "rate limit" 4; dashboard: service 3 + keyword 2; latency: keyword 2 + title words 1
    expect(s.map((x) => x.runbook.id)).toEqual(['denis/redis-down', 'minimarket/dashboard-down', 'minimarket/high-latency']);
  });

  it('does not match parts of words', () => {
    expect(suggest(catalog, { title: 'redistribution of databases' })).toEqual([]);
  });

  it('respects the limit', () => {
    expect(suggest(catalog, { title: 'redis dashboard postgres latency' }, 2)).toHaveLength(2);
  });
});
