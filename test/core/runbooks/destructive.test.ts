import { describe, expect, it } from 'vitest';
import { destructiveReason } from '#core/runbooks/destructive.js';
import { StepSchema } from '#core/runbooks/schema.js';
import { lint, yaml } from './helpers.js';

const step = (s: object) => StepSchema.parse({ id: 'a', title: 'A', ...s });

describe('destructive steps', () => {
  it.each([
    [{ ssh: { command: 'kubectl rollout restart statefulset/redis -n denis' } }, 'restart'],
    [{ ssh: { command: 'kubectl rollout  undo deployment/api' } }, 'rollout  undo'],
    [{ ssh: { command: 'kubectl scale deployment/w --replicas=6' } }, 'scale'],
    [{ ssh: { command: 'celery -A app purge -f' } }, 'purge'],
    [{ ssh: { command: 'redis-cli FLUSHALL' } }, 'FLUSHALL'],
    [{ ssh: { command: 'psql -c "DROP DATABASE x"' } }, 'DROP'],
    [{ docker: { container: 'c', exec: ['redis-cli', 'FLUSHDB'] } }, 'FLUSHDB'],
    [{ docker: { service: 's', restart: true } }, 'docker restart'],
    [{ docker: { service: 's', stop: true } }, 'docker stop'],
    [{ http: { method: 'POST', url: 'http://x/admin/models/m/disable' } }, 'HTTP POST'],
    [{ ssh: { command: 'docker-compose -f prod.yml up -d' } }, 'up -d'],
    [{ ssh: { command: 'docker compose up -d' } }, 'compose up'],
  ])('flags %j', (s, reason) => {
    expect(destructiveReason(step(s))).toBe(reason);
  });

  it.each([
    { ssh: { command: 'kubectl get pods -n denis' } },
    { ssh: { command: 'systemctl status bff-web' } },
    { ssh: { command: 'kubectl logs deploy/x --since=10m | grep -i timeout' } },
    { ssh: { command: 'redis-cli INFO stats' } },
    { docker: { container: 'c', exec: ['pg_isready', '-U', 'postgres'] } },
    { docker: { service: 's', logs: { grep: 'restart' } } },
    { docker: { service: 's', stats: true } },
    { http: { url: 'http://x/health' } },
    { ssh: { command: 'cat /srv/app/docker-compose.yml' } },
    { ssh: { command: 'uptime' } },
    { ssh: { command: 'curl -s "http://localhost:9090/api/v1/query?query=up"' } },
  ])('does not flag %j', (s) => {
    expect(destructiveReason(step(s))).toBeUndefined();
  });

  it('lint requires an explicit danger on a step that looks destructive', () => {
    const text = (danger: string) =>
      yaml('title: T', 'ssh: { host: h }', 'steps:', `  - { id: undo, title: U, ssh: { command: "kubectl rollout undo deploy/api" }${danger} }`);
    expect(lint(text('')).errors).toEqual([
      'demo.yml:4:11 step "undo" looks like it changes state ("rollout undo"): set danger: true, or danger: false if it is safe',
    ]);
    expect(lint(text(', danger: true')).errors).toEqual([]);
    expect(lint(text(', danger: false')).errors).toEqual([]);
  });
});
