import { describe, expect, it } from 'vitest';
import { parseRunbook } from '#core/runbooks/loader.js';
import { formatSourceError } from '#core/runbooks/yaml-source.js';

const lint = (steps: string[]) =>
  parseRunbook('runbooks/x/q.yml', ['title: Q', 'ssh: { host: h }', 'steps:', ...steps].join('\n'), 'x/q').errors.map(formatSourceError);

describe('lint of SQL and Redis commands', () => {
  it('names the renamed pg_stat_statements columns at their line', () => {
    const errors = lint([
      '  - id: slow',
      '    title: Lentas',
      '    read_only: true',
      '    ssh:',
      '      command: |-',
      '        psql app -c "SELECT query',
      '        FROM pg_stat_statements ORDER BY mean_time DESC;"',
    ]);
    expect(errors).toEqual(['runbooks/x/q.yml:9:22 pg_stat_statements has no column mean_time (since PostgreSQL 13): mean_exec_time']);
  });

  it('refuses psql reading SQL from a file or stdin without ON_ERROR_STOP, and accepts it with', () => {
    const step = (cmd: string) => ['  - id: restore', '    title: R', '    danger: true', `    ssh: { command: "${cmd}" }`];
    expect(lint(step('psql app < dump.sql'))[0]).toMatch(/^runbooks\/x\/q\.yml:7:\d+ psql reads SQL from dump\.sql and exits 0 when it fails: add -v ON_ERROR_STOP=1$/);
    expect(lint(step('psql -v ON_ERROR_STOP=1 app < dump.sql'))).toEqual([]);
  });

  it('names tablename on pg_stat_user_tables but not on pg_stats', () => {
    const step = (sql: string) => ['  - id: t', '    title: T', '    read_only: true', `    docker: { container: db, exec: [psql, -c, "${sql}"] }`];
    const [error, ...more] = lint(step('SELECT tablename FROM pg_stat_user_tables'));
    expect(error).toMatch(/^runbooks\/x\/q\.yml:7:\d+ pg_stat_user_tables has no column tablename \(in any version\): relname$/);
    expect(more).toEqual([]);
    expect(lint(step('SELECT tablename FROM pg_stats'))).toEqual([]);
  });

  it('refuses SET of a made-up parameter, and DEBUG RELOAD', () => {
    expect(lint(['  - id: s', '    title: S', '    read_only: true', `    docker: { container: db, exec: [psql, -c, "SET MY_KEY = 'x'; SELECT 1"] }`])[0]).toMatch(/SET MY_KEY: not a PostgreSQL parameter/);
    expect(lint(['  - id: r', '    title: R', '    danger: true', '    ssh: { command: redis-cli DEBUG RELOAD }'])[0]).toMatch(/^runbooks\/x\/q\.yml:7:\d+ redis-cli DEBUG RELOAD: refused by Redis 7/);
  });

  it('reports a command that cannot be split', () => {
    expect(lint(['  - id: q', '    title: Q', '    read_only: true', `    ssh: { command: "psql -c 'SELECT 1" }`])).toContainEqual(expect.stringMatching(/^runbooks\/x\/q\.yml:7:\d+ cannot split this command: unterminated single quote$/));
  });
});
