/**
 * Ending an exec'd process for real. The Engine API has no "kill exec": closing the attach stream
 * leaves the process running. Two ways, tried in order:
 *  - local engine: the exec's PID from `exec inspect` is a PID on this machine; after checking its
 *    cgroup names the container, SIGKILL it and all its descendants;
 *  - otherwise: a second exec in the container finds the process by its exact argv and kills it and
 *    its descendants (needs `sh` in the image).
 */
import { readFileSync, readdirSync } from 'node:fs';
import type Docker from 'dockerode';

export async function killExecProcess(
  docker: Docker, containerId: string, hostPid: number, argv: string[], allowLocal: boolean,
): Promise<'local' | 'exec' | 'failed'> {
  if (allowLocal && hostPid > 0 && belongsTo(hostPid, containerId)) {
    for (const pid of tree(hostPid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    return 'local';
  }
  try {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: ['sh', '-c', KILL_SCRIPT, 'opsroom-kill', argv.join('\n')],
      AttachStdout: true, AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    await new Promise((r) => { stream.on('end', r); stream.on('close', r); stream.on('error', r); });
    const info = await exec.inspect();
    return info.ExitCode === 0 ? 'exec' : 'failed';
  } catch {
    return 'failed';
  }
}

function belongsTo(pid: number, containerId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId);
  } catch {
    return false;
  }
}

/** pid and every descendant, read from /proc. */
function tree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch { /* exited meanwhile */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i] && !out.includes(pid)) out.push(pid);
  }
  return out;
}

/** $1: the argv joined with newlines. Kills matching processes (never PID 1) and their descendants. */
const KILL_SCRIPT = `
want="$1"; me=$$; pids=""
for d in /proc/[0-9]*; do
  p=\${d#/proc/}
  [ "$p" = 1 ] && continue; [ "$p" = "$me" ] && continue
  c=$(tr '\\000' '\\n' < "$d/cmdline" 2>/dev/null) || continue
  [ "$c" = "$want" ] && pids="$pids $p"
done
[ -z "$pids" ] && exit 1
grow=1
while [ $grow = 1 ]; do
  grow=0
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    pp=$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f2)
    case " $pids " in *" $p "*) continue;; esac
    case " $pids " in *" $pp "*) [ "$p" != "$me" ] && pids="$pids $p" && grow=1;; esac
  done
done
kill -9 $pids 2>/dev/null
exit 0
`;
