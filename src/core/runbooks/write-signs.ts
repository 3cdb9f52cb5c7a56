import { destructiveWord } from './destructive.js';

/**
 * Signs that a shell command changes state, for `read_only: true` (see read-only.ts). A list of
 * forbidden patterns cannot be complete, so it errs wide: a false alarm only means the step runs
 * from its own Run button instead of "Run diagnostics".
 */

/**
 * The command as a shell splits it, for the checks that only apply outside quotes: single-quoted
 * text becomes one QUOTED mark; double-quoted text too unless it substitutes a command ($(…),
 * backticks), then it is kept; a backslash escape outside quotes becomes ESC (a line continuation stays).
 */
const ESC = '\u0001';
const QUOTED = '\u0002';

function shellSurface(command: string): string {
  let out = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\') {
      if (command[i + 1] === '\n') out += ' ';
      else out += ESC;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      out += QUOTED;
      i = end < 0 ? command.length : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < command.length && command[j] !== '"') j += command[j] === '\\' ? 2 : 1;
      const inner = command.slice(i + 1, j);
      out += /\$\(|`/.test(inner) ? ` ${inner} ` : QUOTED;
      i = j;
    } else out += c;
  }
  return out;
}

/** On the shell surface: redirections, background jobs, escapes and quotes inside a word. */
const SURFACE: readonly [RegExp, string][] = [
  [/>(?!&\d)(?!>?\s*\/dev\/null(?:$|[\s;|&)]))/m, 'redirects output into a file'],
  [/(?<![&>|])&(?![&>\d])/, 'starts a background process'],
  [/\u0001/, 'escapes characters outside quotes'],
  [/[\w.=-]\u0002[\w./-]|[\w./-]\u0002(?![\s;|&)]|$)/m, 'quotes part of a word'],
];

/** Where a shell starts a command: the start, after ; & | ( ` $( --, or a wrapper (sudo, env, timeout N…). */
const AT = '(?:^|[;&|(`]\\s*|\\$\\(\\s*|\\s--\\s+|(?:sudo|env|nice|time|nohup|timeout\\s+\\S+)\\s+)';
const CMD = (words: string) => new RegExp(`${AT}(?:\\S*/)?(?:${words})(?![\\w-])`, 'im');
const W = (words: string) => new RegExp(`(?<![\\w.-])(?:${words})(?![\\w-])`, 'i');
const verbs = '(?:\\s+\\S+)*?\\s+';

/** On the whole command, quotes included (a quoted program is still a program). */
const TEXT: readonly [RegExp, string][] = [
  [W('tee|touch|mkdir|rmdir|ln|cp|mv|install|crontab|truncate|shred|unlink|rsync|scp|sftp|gzip|gunzip|zip|unzip|bzip2|bunzip2|xz|unxz|zstd|split|dd|mkfifo|mknod|chattr|setfacl|logrotate'), 'writes files'],
  [/(?<![\w-])sed\b[^|;&]*?(?:\s-[a-zA-Z]*i|\s--in-place|\/[gpIi0-9]*w\s|\/e\b|[;{}\s]w\s)/, 'edits or writes a file (sed)'],
  [/(?<![\w-])(?:perl|ruby)\b[^|;&]*\s-[a-zA-Z]*[ie]/, 'runs a script (perl, ruby)'],
  [/(?<![\w-])g?awk\b[^|;&]*(?:-i\s*inplace|system\s*\(|print[^;}]*>|\|\s*getline|"\s*\|)/, 'writes or runs commands from awk'],
  [/(?<![\w-])find\b[^|;&]*\s-(?:delete|exec|execdir|ok|okdir|fprint0?|fprintf|fls)\b/, 'changes files from find'],
  [/(?<![\w-])tar\s+-?[a-zA-Z]*[cxru]/, 'creates or extracts an archive'],
  [CMD('(?:ba|da|k|z|a|c|tc|fi|mk)?sh|busybox|eval|source|xargs|python[0-9.]*|php|lua|tclsh|osascript|\\.'), 'runs another interpreter or command line'],
  [/(?:^|[;&|(]\s*)exec\s|(?<![\w-])(?:node|nodejs|deno)\s+(?:-[a-zA-Z]*[ep]|--eval|--print|\S+\.m?js)/m, 'runs another interpreter or command line'],
  [CMD('ssh|nc|ncat|netcat|socat|telnet|ftp|mail|mailx|sendmail|logger|wall|write'), 'sends data elsewhere'],
  [/(?<![\w-])(?:nohup|setsid|disown)(?![\w-])/, 'starts something that outlives the step'],
  [CMD('at|batch|screen|tmux|watch'), 'starts something that outlives the step'],
  [/(?<![\w-])(?:systemctl|service)\b(?!=)(?![^|;&]*\s(?:status|show|is-active|is-enabled|is-failed|list-units|list-unit-files|list-timers|list-sockets|cat|--version)\b)/, 'controls a service'],
  [/(?<![\w-])(?:\/etc\/init\.d\/\S+|rc-service\s+\S+)\s+(?!status\b)\S/, 'controls a service'],
  [/(?<![\w-])(?:nginx\s+-s|apachectl|apache2ctl|httpd\s+-k|supervisorctl\s+(?!status\b)\S|pm2\s+(?!(?:list|ls|status|show|describe|logs|jlist|prettylist|info)\b)\S|sysctl\b[^|;&]*(?:-w|\S=)|renice|ionice|taskset|chrt|iptables\s+(?!-[LS]\b)\S|ip6tables\s+(?!-[LS]\b)\S|nft\s+(?!list\b)\S|ip\s+(?:\S+\s+)?(?:add|del|delete|set|flush|change|replace)\b|ulimit\s+-\S*\s*\d)/, 'changes the system'],
  [/(?<![\w-])curl\b[^|;&]*\s(?:-[a-zA-Z]*[dFTKO]|-[a-zA-Z]*X\s*\S|--request|--data\S*|--json|--form\S*|--upload-file|--config|--remote-name\S*|-[a-zA-Z]*o\s*(?!\/dev\/null(?:$|[\s;|&)]))\S|--output\s+(?!\/dev\/null(?:$|[\s;|&)])))/, 'sends data or writes a file with curl'],
  [/(?<![\w-])wget\b(?:[^|;&]*(?:--post-data|--post-file|--method|--body-data|--body-file)|(?![^|;&]*(?:--spider|-q?O\s*-(?:\s|$)|-q?O\s*\/dev\/null)))/, 'sends data or downloads a file with wget'],
  [new RegExp(`(?<![\\w-])kubectl${verbs}(?:apply|create|patch|scale|delete|edit|replace|set|label|annotate|cordon|uncordon|drain|taint|run|expose|autoscale|cp|attach|port-forward|proxy|debug|certificate\\s+(?:approve|deny)|rollout\\s+(?:restart|undo|pause|resume))(?![\\w-])`, 'i'), 'changes the cluster (kubectl)'],
  [new RegExp(`(?<![\\w-])(?:docker|docker-compose|podman)(?:\\s+compose)?${verbs}(?:run|create|start|restart|stop|kill|rm|rmi|pause|unpause|up|down|pull|push|build|commit|cp|update|prune|exec|connect|disconnect|attach|load|import|tag|rename|wait|login)(?![\\w-])`, 'i'), 'changes containers (docker)'],
  [W('pg_dump|pg_dumpall|pg_basebackup|pg_restore|pg_ctl|pg_ctlcluster|mysqldump|mysqlpump|mongodump|mongorestore|mongoimport|redis-check-aof|redis-check-rdb'), 'takes or restores a backup'],
  [/(?<![\w-])redis-cli\b[^|;&]*\s(?:set\w*|getset|getdel|getex|del|unlink|flushall|flushdb|shutdown|b[lr]pop\w*|bz(?:pop|mpop)\w*|[lz]mpop|bitop|bitfield|append|incr\w*|decr\w*|mset\w*|hset\w*|hmset|hdel|hincr\w*|[lr]push\w*|[lr]pop\w*|lset|ltrim|lrem|linsert|lmove|blmove|sadd|srem|spop|smove|\w+store|zadd|zrem\w*|zincrby|zpop\w*|pfadd|pfmerge|xadd|xdel|xtrim|xgroup|xack|xclaim|expire\w*|pexpire\w*|persist|rename\w*|move|copy|restore|migrate|config\s+(?:set|rewrite|resetstat)|acl\s+(?!(?:list|users|whoami|cat|getuser|log)\b)\S|client\s+(?:kill|pause|no-evict|setname)|cluster|debug|replicaof|slaveof|failover|script|eval\w*|fcall\w*|function|publish|spublish|save|bgsave|bgrewriteaof|swapdb|select\s+\d+\s*;|monitor|module|memory\s+purge|latency\s+reset|slowlog\s+reset)(?![\w-])/i, 'writes to Redis'],
  [/(?<![\w-])(?<!explain\s+(?:\(\s*)?)analyze(?![\w-])/i, 'changes the database (analyze)'],
  [W('cluster|grant|revoke|copy|refresh|listen|notify|commit|rollback|lock|flush|checkpoint|discard|reassign|security\\s+label|comment\\s+on|load|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_switch_wal|pg_switch_xlog|pg_promote|pg_create_restore_point|pg_create_\\w+_slot|pg_drop_replication_slot|pg_advisory_\\w*lock\\w*|pg_try_advisory_\\w*lock\\w*|set_config|lo_import|lo_export|lo_unlink|lo_create|nextval|setval|dblink\\w*'), 'changes the database'],
  [/(?<![\w-])select\b[^;]*\binto\s+(?!strict\b)\w/i, 'changes the database (select into)'],
  [/(?<![\w-])psql\b[^|;&]*\s(?:-o\s*\S|--output|-L\s*\S|--log-file|-f\s*\S|--file)/, 'writes or runs files from psql'],
  [/\\(?:o|copy|g\s+\S|w|i|ir|!)\b/, 'runs a psql meta-command that writes or runs things'],
  [new RegExp(`(?<![\\w-])git${verbs}(?:checkout|switch|pull|push|reset|commit|merge|rebase|fetch|clean|stash|tag|restore|am|apply|gc|prune|config|remote\\s+(?:add|remove|rm|set-url|rename)|worktree|submodule|cherry-pick|revert|rm|mv|init|clone|branch\\s+-[a-zA-Z]*[dDmMcC])(?![\\w-])`, 'i'), 'changes a git checkout'],
  [/(?<![\w-])(?:npm|pnpm|yarn|pip[0-9.]*|pipx|gem|cargo|go|apt|apt-get|aptitude|yum|dnf|apk|zypper|brew|snap|flatpak|helm|composer)\s+(?:\S+\s+)*?(?:i|install|add|uninstall|remove|rm|upgrade|update|ci|link|publish|purge|autoremove|dist-upgrade)(?![\w-])/, 'installs or removes packages'],
  [/(?<![\w-])(?:dpkg|rpm)\s+(?:-[a-zA-Z]*[iPrU]|--install|--remove|--purge|--erase|--upgrade)/, 'installs or removes packages'],
];

/** Why a command cannot be read-only (the first sign found), or undefined when none is seen. */
export function writeSign(command: string, opts: { shell?: boolean } = {}): string | undefined {
  const word = destructiveWord(command);
  if (word) return `"${word}"`;
  if (opts.shell !== false) {
    const surface = shellSurface(command);
    const found = SURFACE.find(([re]) => re.test(surface));
    if (found) return found[1];
  }
  return TEXT.find(([re]) => re.test(command))?.[1];
}
