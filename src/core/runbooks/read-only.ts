import { writeSign } from './write-signs.js';

export { writeSign };
import { KUBERNETES_READ_VERBS, kubernetesVerbOf } from './kubernetes-step.js';
import type { RunbookStep } from './schema.js';
import { shellScriptIndex } from './templates.js';

/**
 * "Read-only": a step that cannot change anything, so "Run diagnostics" may run it unasked.
 * - By construction: docker logs, ps and stats; HTTP GET, HEAD and OPTIONS; kubectl get, describe,
 *   logs, top, rollout status and history; prometheus queries (unless `danger: true`).
 * - By declaration: a docker exec, kubernetes exec or ssh command with `read_only: true`, which lint accepts only
 *   when the command shows none of the signs (write-signs.ts) of writing, restarting, uploading or backing up.
 * Nothing else is read-only: manual steps, waits, escalations, restarts, any other command.
 */

/** The command a step runs, and whether a shell reads it (an argv list is not). */
function commandOf(s: RunbookStep): { text: string; shell: boolean } | undefined {
  if (s.ssh) return { text: s.ssh.command, shell: true };
  const exec = s.kubernetes?.exec !== undefined ? s.kubernetes.command : s.docker?.exec;
  if (exec === undefined) return undefined;
  if (typeof exec === 'string') return { text: exec, shell: true };
  const script = shellScriptIndex(exec);
  if (script < 0) return { text: exec.join(' '), shell: false };
  // `[sh, -c, "…"]`: the script is what runs; any other way of starting the shell is refused.
  const plain = /^(?:\/(?:usr\/)?bin\/)?(?:env )?(?:busybox )?(?:ba|da|a)?sh -[a-z]*c$/.test(exec.slice(0, script).join(' '));
  return plain ? { text: exec[script], shell: true } : { text: exec.join(' '), shell: false };
}

/** True when the step cannot change anything by its kind alone. */
function readOnlyByConstruction(s: RunbookStep): boolean {
  if (s.danger) return false;
  if (s.docker) return s.docker.logs !== undefined || s.docker.ps !== undefined || s.docker.stats !== undefined;
  if (s.http) return ['GET', 'HEAD', 'OPTIONS'].includes(s.http.method);
  if (s.prometheus) return true;
  if (s.kubernetes) return (KUBERNETES_READ_VERBS as readonly string[]).includes(kubernetesVerbOf(s.kubernetes));
  return false;
}

/**
 * Whether a declared read-only step is still read-only with these parameter values: each value read
 * as if it were part of the command (`redis-cli {{ cmd }}` with cmd=FLUSHALL writes), so a value can
 * never turn a check into a write that runs unasked.
 */
export function readOnlyWith(s: RunbookStep, sub: (text: string) => string): boolean {
  if (!isReadOnly(s)) return false;
  if (readOnlyByConstruction(s)) return true;
  const as: RunbookStep = s.ssh
    ? { ...s, ssh: { ...s.ssh, command: sub(s.ssh.command) } }
    : s.kubernetes?.exec !== undefined
      ? { ...s, kubernetes: { ...s.kubernetes, command: mapCommand(s.kubernetes.command, sub) } } as RunbookStep
      : s.docker?.exec !== undefined ? { ...s, docker: { ...s.docker, exec: mapCommand(s.docker.exec, sub) } } as RunbookStep : s;
  return readOnlyProblem(as) === undefined;
}
const mapCommand = <T extends string | string[] | undefined>(c: T, sub: (text: string) => string): T =>
  (typeof c === 'string' ? sub(c) : Array.isArray(c) ? c.map(sub) : c) as T;

/** Whether "Run diagnostics" may run the step: read-only by construction, or declared and accepted. */
function isReadOnly(s: RunbookStep): boolean {
  if (readOnlyByConstruction(s)) return true;
  return s.read_only === true && readOnlyProblem(s) === undefined;
}

/** Lint: why `read_only: true` cannot be accepted on this step (undefined: it can, or it is not set). */
export function readOnlyProblem(s: RunbookStep): string | undefined {
  if (s.read_only !== true) return undefined;
  if (s.danger) return 'a dangerous step cannot be read_only';
  if (readOnlyByConstruction(s)) return 'this step is read-only by its kind already: remove read_only';
  const command = commandOf(s);
  if (command === undefined) return 'only docker exec and ssh commands (and kubernetes exec) can be declared read_only';
  const sign = writeSign(command.text, { shell: command.shell });
  return sign ? `read_only refused: the command ${sign.startsWith('"') ? `contains ${sign}` : sign}` : undefined;
}
