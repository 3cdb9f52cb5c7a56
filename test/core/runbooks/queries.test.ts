import { describe, expect, it } from 'vitest';
import { runbookQueries, withValues } from '#core/runbooks/queries.js';

const one = (step: Record<string, unknown>) => runbookQueries([{ id: 's', ...step }]);

describe('runbookQueries: psql', () => {
  it('finds psql in docker and kubernetes argv lists, without connection options', () => {
    const q = one({ docker: { container: 'db', exec: ['psql', '-U', 'postgres', '-h', 'x', 'inventario_retail', '-c', 'SELECT 1;', '-t'] } });
    expect(q.sql).toMatchObject([{ place: 'docker', database: 'inventario_retail', args: ['-c', 'SELECT 1;', '-t'], sql: ['SELECT 1;'] }]);
    const k = one({ kubernetes: { exec: 'deployment/postgresql', command: ['psql', '--username=postgres', '--dbname=app', '--command=SELECT 2'] } });
    expect(k.sql).toMatchObject([{ place: 'kubernetes', database: 'app', args: ['--command', 'SELECT 2'] }]);
  });

  it('finds psql behind kubectl exec, docker exec, sh -c, $(…) and here-documents', () => {
    const q = one({
      ssh: {
        command: [
          'kubectl exec -i deployment/postgresql -n production -- psql -U postgres app -c "SELECT 1"',
          "docker exec -i db sh -c 'psql -U postgres -c \"SELECT 2\"'",
          `echo "size $(psql app -t -c 'SELECT 3')"`,
          'docker exec -i db psql -v ON_ERROR_STOP=1 app << EOF\nSELECT 4;\nEOF',
        ].join('\n'),
      },
    });
    expect(q.sql.map((c) => c.sql)).toEqual([['SELECT 1'], ['SELECT 2'], ['SELECT 3'], ['SELECT 4;\n']]);
    expect(q.sql[3]).toMatchObject({ args: ['-v', 'ON_ERROR_STOP=1'], stdin: { text: 'SELECT 4;\n', expands: true } });
  });

  it('notes SQL read from a file, from echo, and from -f', () => {
    const q = one({ ssh: { command: 'psql app < dump.sql; echo "SELECT :pid;" | psql app -v pid=7; psql -f x.sql app' } });
    expect(q.sql.map((c) => c.stdin)).toEqual([{ file: 'dump.sql' }, { text: 'SELECT :pid;\n' }, undefined]);
    expect(q.sql[2].files).toEqual(['x.sql']);
  });

  it('finds the psql behind Django\u2019s manage.py dbshell', () => {
    const q = one({ ssh: { command: `cd /app && python manage.py dbshell -- -c 'SELECT 1'; echo 'SELECT 2;' | ./manage.py dbshell` } });
    expect(q.sql).toMatchObject([{ args: ['-c', 'SELECT 1'], database: undefined }, { stdin: { text: 'SELECT 2;\n' } }]);
  });

  it('does not take psql as an argument of another program', () => {
    expect(one({ ssh: { command: 'which psql; grep psql /etc/passwd' } }).sql).toEqual([]);
  });

  it('reports a command it cannot split', () => {
    expect(one({ ssh: { command: 'psql -c "SELECT 1' } }).errors).toEqual([{ step: 0, stepId: 's', place: 'ssh', message: 'unterminated double quote' }]);
  });
});

describe('runbookQueries: redis-cli', () => {
  it('splits options from the command, keeps -n, drops connection options, sees a grep after it', () => {
    const q = one({ ssh: { command: 'redis-cli -h cache -a secret -n 1 --raw INFO stats | grep keyspace_hits' } });
    expect(q.redis).toMatchObject([{ options: ['-n', '1', '--raw'], command: ['INFO', 'stats'], db: 1, grep: ['keyspace_hits'] }]);
  });

  it('finds redis-cli in kubernetes sh -c scripts and manual commands', () => {
    const k = one({ kubernetes: { exec: 'statefulset/redis', command: ['sh', '-c', 'redis-cli info memory | grep used'] } });
    expect(k.redis).toMatchObject([{ command: ['info', 'memory'], grep: ['used'] }]);
    const m = one({ manual: { instruction: 'x', command: 'kubectl exec -it deploy/redis -- redis-cli --latency-history -i 1' } });
    expect(m.redis).toMatchObject([{ place: 'manual', options: ['--latency-history', '-i', '1'], command: [] }]);
  });
});

describe('withValues', () => {
  it('quotes values as the renderer does: shell text single-quoted, argv elements bare', () => {
    const values = { key: "a b'c" };
    expect(withValues({ id: 's', ssh: { command: 'redis-cli TTL {{ key }}' } }, values).ssh).toEqual({ command: `redis-cli TTL 'a b'\\''c'` });
    expect(withValues({ id: 's', kubernetes: { exec: 'd/r', command: ['redis-cli', 'TTL', '{{ key }}'] } }, values).kubernetes).toEqual({ exec: 'd/r', command: ['redis-cli', 'TTL', "a b'c"] });
    const q = one(withValues({ id: 's', ssh: { command: 'redis-cli TTL {{ key }}' } }, values));
    expect(q.redis[0].command).toEqual(['TTL', "a b'c"]);
  });
});
