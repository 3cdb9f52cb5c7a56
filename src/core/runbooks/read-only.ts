import { destructiveWord } from './destructive.js';
import type { RunbookStep } from './schema.js';

/**
 * "Read-only": a step that cannot change anything, so "Run diagnostics" may run it unasked.
 * - By construction: docker logs, ps and stats; HTTP GET, HEAD and OPTIONS (unless `danger: true`).
 * - By declaration: a docker exec or ssh command with `read_only: true`, which lint accepts only
 *   when the command shows none of the signs below of writing, restarting, uploading or backing up.
 * Nothing else is read-only: manual steps, waits, escalations, restarts, any other command.
 */

/** Shell redirections and `&`, looked for outside quoted text (SQL and PromQL compare with `>`). */
const SHELL_ONLY: readonly [RegExp, string][] = [
  [/(?:^|[^0-9&>=-])>>?(?![&>=])\s*(?!\/dev\/null\b)\S/, 'redirects output into a file'],
  [/(?<![&>|])&(?![&>])\s*(?:$|[^\s&])/m, 'starts a background process'],
];

/** Quoted text removed; a double-quoted part that substitutes a command (`$(…)`, backticks) is kept. */
const unquoted = (command: string) =>
  command.replace(/'[^']*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, (q) => (/\$\(|`/.test(q) ? q : '""'));

const WRITES: readonly [RegExp, string][] = [
  [/(?<![\w-])(?:tee|touch|mkdir|rmdir|ln|cp|install|crontab|truncate|shred|unlink|rsync|scp|sftp|gzip|gunzip|zip|unzip|bzip2|xz)(?![\w-])/i, 'writes files'],
  [/(?<![\w-])sed\s+(?:-[a-z]*i|--in-place)/i, 'edits a file in place (sed -i)'],
  [/(?<![\w-])tar\s+-?[a-z]*[cxru]/i, 'creates or extracts an archive'],
  [/(?<![\w-])(?:systemctl|service)\s+(?:\S+\s+)?(?:start|stop|restart|reload|enable|disable|mask|unmask|try-restart|reload-or-restart)(?![\w-])/i, 'starts or stops a service'],
  [/(?<![\w-])curl\b[^|;&]*\s(?:-X\s*(?:POST|PUT|PATCH|DELETE|post|put|patch|delete)|--request\s+(?:POST|PUT|PATCH|DELETE|post|put|patch|delete)|-d\b|--data\S*|-F\b|--form\b|-T\b|--upload-file\b|-o\s+(?!\/dev\/null\b)|--output\s+(?!\/dev\/null\b)|-O\b|--remote-name\b)/, 'sends data or writes a file with curl'],
  [/(?<![\w-])wget\b(?![^|;&]*(?:--spider|-O\s*-(?:\s|$)|-O\s*\/dev\/null|-qO-|-qO\s*-))/i, 'downloads a file with wget'],
  [/(?<![\w-])kubectl\s+(?:\S+\s+)*?(?:apply|create|patch|scale|delete|edit|replace|set|label|annotate|cordon|uncordon|drain|taint|run|expose|autoscale|cp|rollout\s+(?:restart|undo|pause|resume))(?![\w-])/i, 'changes the cluster (kubectl)'],
  [/(?<![\w-])(?:docker|docker-compose)\s+(?:compose\s+)?(?:\S+\s+)*?(?:run|create|start|restart|stop|kill|rm|rmi|pause|unpause|up|down|pull|push|build|commit|cp|update|prune|exec)(?![\w-])/i, 'changes containers (docker)'],
  [/(?<![\w-])(?:pg_dump|pg_dumpall|pg_basebackup|pg_restore|mysqldump|mongodump|mongorestore)(?![\w-])/i, 'takes or restores a backup'],
  [/(?<![\w-])redis-cli\b[^|;&]*\s(?:set|setex|hset|hdel|lpush|rpush|sadd|srem|zadd|expire|persist|rename|config\s+set|config\s+rewrite|debug|replicaof|slaveof|failover|migrate|script|eval|evalsha|publish|save|bgsave|bgrewriteaof)(?![\w-])/i, 'writes to Redis'],
  [/(?<![\w-])(?<!explain\s+(?:\(\s*)?)analyze(?![\w-])/i, 'changes the database (analyze)'],
  [/(?<![\w-])(?:cluster|grant|copy|refresh|listen|notify|commit|rollback|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|nextval|setval)(?![\w-])/i, 'changes the database'],
  [/(?<![\w-])git\s+(?:\S+\s+)*?(?:checkout|switch|pull|push|reset|commit|merge|rebase|fetch|clean|stash|tag|restore|am|apply)(?![\w-])/i, 'changes a git checkout'],
  [/(?<![\w-])(?:npm|pip|pip3|apt|apt-get|yum|dnf|apk)\s+(?:install|uninstall|remove|upgrade|update|ci)(?![\w-])/i, 'installs or removes packages'],
];

/** Why a command cannot be read-only (the first sign found), or undefined when none is seen. */
export function writeSign(command: string, opts: { shell?: boolean } = {}): string | undefined {
  const word = destructiveWord(command);
  if (word) return `"${word}"`;
  const bare = opts.shell === false ? '' : unquoted(command);
  return (SHELL_ONLY.find(([re]) => re.test(bare)) ?? WRITES.find(([re]) => re.test(command)))?.[1];
}

/** The command a step runs, and whether a shell reads it (an argv list is not). */
function commandOf(s: RunbookStep): { text: string; shell: boolean } | undefined {
  if (s.ssh) return { text: s.ssh.command, shell: true };
  const exec = s.docker?.exec;
  if (exec === undefined) return undefined;
  if (typeof exec === 'string') return { text: exec, shell: true };
  return { text: exec.join(' '), shell: /(?:^|\/)(?:ba|da|k|z|a)?sh$/.test(exec[0]) && exec.includes('-c') };
}

/** True when the step cannot change anything by its kind alone. */
export function readOnlyByConstruction(s: RunbookStep): boolean {
  if (s.danger) return false;
  if (s.docker) return s.docker.logs !== undefined || s.docker.ps !== undefined || s.docker.stats !== undefined;
  if (s.http) return ['GET', 'HEAD', 'OPTIONS'].includes(s.http.method);
  return false;
}

/** Whether "Run diagnostics" may run the step: read-only by construction, or declared and accepted. */
export function isReadOnly(s: RunbookStep): boolean {
  if (readOnlyByConstruction(s)) return true;
  return s.read_only === true && readOnlyProblem(s) === undefined;
}

/** Lint: why `read_only: true` cannot be accepted on this step (undefined: it can, or it is not set). */
export function readOnlyProblem(s: RunbookStep): string | undefined {
  if (s.read_only !== true) return undefined;
  if (s.danger) return 'a dangerous step cannot be read_only';
  if (readOnlyByConstruction(s)) return 'this step is read-only by its kind already: remove read_only';
  const command = commandOf(s);
  if (command === undefined) return 'only docker exec and ssh commands can be declared read_only';
  const sign = writeSign(command.text, { shell: command.shell });
  return sign ? `read_only refused: the command ${sign.startsWith('"') ? `contains ${sign}` : sign}` : undefined;
}
