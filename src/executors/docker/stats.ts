/** `docker stats --no-stream` and `docker-compose ps`, formatted as tables people know. */
import type Docker from 'dockerode';
import type { Found } from './targets.js';

export interface Table { text: string; allHealthy: boolean }

export async function statsTable(docker: Docker, found: Found[]): Promise<Table> {
  const rows: string[][] = [['NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS']];
  let allRunning = true;
  await Promise.all(found.map(async (c, i) => {
    if (c.state !== 'running') {
      allRunning = false;
      rows[i + 1] = [c.name, '-', `not running (${c.state})`, '-', '-'];
      return;
    }
    const s = (await docker.getContainer(c.id).stats({ stream: false })) as unknown as RawStats;
    const mem = memoryUsage(s);
    const limit = s.memory_stats?.limit ?? 0;
    rows[i + 1] = [
      c.name,
      `${cpuPercent(s).toFixed(2)}%`,
      `${formatBytes(mem)} / ${formatBytes(limit)}`,
      `${limit ? ((mem / limit) * 100).toFixed(2) : '0.00'}%`,
      String(s.pids_stats?.current ?? 0),
    ];
  }));
  return { text: format(rows), allHealthy: allRunning };
}

export function psTable(found: Found[]): Table {
  const rows = [['NAME', 'SERVICE', 'STATE', 'STATUS']];
  for (const c of found) rows.push([c.name, c.service ?? '-', c.state, c.status]);
  const allHealthy = found.every((c) => c.state === 'running' && !/unhealthy/.test(c.status));
  return { text: format(rows), allHealthy };
}

interface RawStats {
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats?: { current?: number };
}
interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** As the docker CLI computes it: container CPU delta over system CPU delta, times CPUs. */
export function cpuPercent(s: RawStats): number {
  const cpu = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sys = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  return cpu > 0 && sys > 0 ? (cpu / sys) * cpus * 100 : 0;
}

/** Usage minus page cache, as the docker CLI shows it (cgroup v1 and v2 field names). */
export function memoryUsage(s: RawStats): number {
  const m = s.memory_stats ?? {};
  const cache = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
  const usage = m.usage ?? 0;
  return cache < usage ? usage - cache : usage;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(2).replace(/\.?0+$/, '')}${units[i]}`;
}

function format(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((v, col) => (col === r.length - 1 ? v : v.padEnd(widths[col]))).join('   ')).join('\n') + '\n';
}
