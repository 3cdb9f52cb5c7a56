import { describe, expect, it } from 'vitest';
import { probeOf } from '#core/verify/probes.js';
import type { KubernetesCommand } from '#core/runs/step-runner.js';

describe('probeOf', () => {
  it('asks an SSH host for every program, each one a single quoted word', () => {
    const p = probeOf({ kind: 'ssh', host: 'web1', command: "df -h / | grep -q / && redis-cli -h 'x; rm -rf /' ping" })!;
    expect(p.programs).toEqual(['df', 'grep', 'redis-cli']);
    expect(p.command).toEqual({ kind: 'ssh', host: 'web1', command: `for p in 'df' 'grep' 'redis-cli'; do command -v "$p" >/dev/null 2>&1 || echo "$p"; done; true` });
  });

  it('probes a Docker target with ps whatever the action, and sends only GET and HEAD', () => {
    expect(probeOf({ kind: 'docker', target: { composeProject: 'blatam', composeService: 'redis' }, action: 'restart' })?.command)
      .toEqual({ kind: 'docker', target: { composeProject: 'blatam', composeService: 'redis' }, action: 'ps' });
    expect(probeOf({ kind: 'http', method: 'POST', url: 'http://x/flush' })).toBeUndefined();
    expect(probeOf({ kind: 'http', method: 'HEAD', url: 'http://x/health' })?.command).toMatchObject({ method: 'HEAD' });
  });

  it('turns a Kubernetes step into kubectl get of its resource, through the same context, namespace and host', () => {
    const restart: KubernetesCommand = {
      kind: 'kubernetes', verb: 'restart', system: 'denis', host: 'denis-bastion', context: 'prod', namespace: 'denis', resource: 'deployment/redis',
      argv: ['kubectl', '--context=prod', '--namespace=denis', 'rollout', 'restart', 'deployment/redis'], wait: ['kubectl', 'rollout', 'status'],
    };
    expect(probeOf(restart)?.command).toEqual({
      kind: 'kubernetes', verb: 'get', system: 'denis', host: 'denis-bastion', context: 'prod', namespace: 'denis', resource: 'deployment/redis',
      argv: ['kubectl', '--context=prod', '--namespace=denis', 'get', 'deployment/redis', '--output=name'],
    });
    const logs: KubernetesCommand = { kind: 'kubernetes', verb: 'logs', local: true, resource: 'pods', selector: 'app=worker', argv: ['kubectl', 'logs', '--selector=app=worker', '--tail=50'] };
    expect((probeOf(logs)!.command as KubernetesCommand).argv).toEqual(['kubectl', 'get', 'pods', '--selector=app=worker', '--output=name']);
  });
});
