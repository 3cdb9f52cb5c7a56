import { kubernetesVerbOf } from './kubernetes-step.js';
import type { RunbookStep } from './schema.js';

/**
 * Words that make a command change or destroy state. A step whose command contains one must say
 * whether it is dangerous (`danger: true`, or `danger: false` when it is not): lint refuses to
 * guess. The list is deliberately broad; a false alarm costs one explicit `danger: false`.
 */
const DESTRUCTIVE = new RegExp(
  '(?<![\\w-])(' +
    [
      'restart', 'reboot', 'shutdown', 'stop', 'kill', 'pkill', 'killall', 'down', 'delete', 'drop',
      'truncate', 'purge', 'flushall', 'flushdb', 'del', 'scale', 'rollout undo', 'rollback', 'rm',
      'rmi', 'prune', 'revoke', 'restore', 'pg_restore', 'reindex', 'vacuum', 'apply', 'patch',
      'set image', 'drain', 'cordon', 'disable', 'invalidate', 'clear', 'reset', 'terminate',
      'pg_terminate_backend', 'cancel', 'block', 'mv', 'dd', 'mkfs', 'chmod', 'chown', 'update', 'insert',
      'alter', 'create', 'migrate', 'upgrade', 'compose up', 'up -d', 'helm install',
    ]
      .map((w) => w.replace(' ', '\\s+'))
      .join('|') +
    ')(?![\\w-])',
  'i',
);

/** Why a step looks like it changes state (the word found), or undefined. */
export function destructiveReason(s: RunbookStep): string | undefined {
  if (s.docker) {
    const d = s.docker;
    if (d.restart) return 'docker restart';
    if (d.stop) return 'docker stop';
    if (d.start) return 'docker start';
    if (d.exec !== undefined) return match(typeof d.exec === 'string' ? d.exec : d.exec.join(' '));
  }
  if (s.ssh) return match(s.ssh.command);
  if (s.kubernetes) {
    const verb = kubernetesVerbOf(s.kubernetes);
    if (verb === 'exec') return match(s.kubernetes.command!.join(' '));
    return KUBECTL_WRITES[verb];
  }
  if (s.http && !['GET', 'HEAD', 'OPTIONS'].includes(s.http.method)) return `HTTP ${s.http.method}`;
  return undefined;
}

const KUBECTL_WRITES: Record<string, string> = {
  restart: 'kubectl rollout restart', scale: 'kubectl scale', undo: 'kubectl rollout undo', delete: 'kubectl delete',
};

const match = (command: string) => DESTRUCTIVE.exec(command)?.[1];

/** The first word in `command` that changes or destroys state, or undefined. */
export const destructiveWord = match;
