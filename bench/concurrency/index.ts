/**
 * Concurrency: 50 incidents each running a 5-step Docker runbook at once (started and run the way
 * the Start and "Run diagnostics" buttons do, with live output and cards posted to Slack): total
 * time until every card and output message is final, peak RSS, event-loop delay p99. For context,
 * the same 250 commands run directly (dockerode, 50 chains of 5) in the same process, interleaved.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import type { Incident } from '#core/incidents/incident.js';
import { dockerodeExec } from '../lib/exec.js';
import { progress, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, median, round } from '../lib/stats.js';
import { rssSampler, startWorld, type World } from '../lib/world.js';

const log = (m: string) => progress('concurrency', m);
const STEPS = 5;
const script = (n: number) => `for i in $(seq 1 20); do echo "step ${n} line $i"; done; sleep 0.2; echo done`;
const RUNBOOK = `
title: Five checks
description: Five diagnostic steps on the api container.
match: { keywords: [bench-five] }
docker: { project: shop }
steps:
${Array.from({ length: STEPS }, (_, i) => `  - id: check${i + 1}
    title: Check ${i + 1}
    read_only: true
    docker: { service: api, exec: [sh, -c, '${script(i + 1)}'] }
    expect: { output_contains: done }
    timeout: 60s`).join('\n')}
`;

interface Round { wallMs: number; peakMb: number; loopP99Ms: number; loopMaxMs: number }

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  const incidents = smoke ? 5 : 50;
  const rounds = smoke ? 1 : 3;
  const world = await startWorld({ five: RUNBOOK });
  try {
    const docker = new Docker({ socketPath: world.docker.socketPath });
    const [c] = await docker.listContainers({ filters: { label: ['com.docker.compose.service=api'] } });
    const ops: Round[] = [], direct: Round[] = [];
    log(`${rounds} rounds: ${incidents} incidents x ${STEPS}-step runbook at once, then the same commands directly`);
    for (let r = 0; r < rounds; r++) {
      const opened: Incident[] = [];
      for (let i = 0; i < incidents; i++) opened.push(await world.open(`Checkout API degraded round ${r} shard ${i}`, ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'][i % 4]));
      const pair: Array<() => Promise<void>> = [
        async () => { ops.push(await measure(() => runAll(world, opened))); },
        async () => { direct.push(await measure(() => Promise.all(opened.map(async () => { for (let s = 1; s <= STEPS; s++) await dockerodeExec(docker, c.Id, ['sh', '-c', script(s)]); })))); },
      ];
      if (r % 2 === 1) pair.reverse();
      for (const p of pair) await p();
      log(`round ${r + 1}: opsroom ${fmt(ops.at(-1)!.wallMs / 1000)} s, loop p99 ${fmt(ops.at(-1)!.loopP99Ms)} ms, peak ${fmt(ops.at(-1)!.peakMb)} MB; direct ${fmt(direct.at(-1)!.wallMs / 1000)} s`);
    }
    const m = (xs: Round[], k: keyof Round) => median(xs.map((x) => x[k]));
    const calls = world.ws.calls().length;
    return [
      { key: 'concurrency.wall_s', value: round(m(ops, 'wallMs') / 1000), detail: `${incidents} runs x ${STEPS} steps at once, start to last Slack edit, median of ${rounds} (${ops.map((o) => fmt(o.wallMs / 1000)).join(', ')} s); the same ${incidents * STEPS} commands directly ${fmt(m(direct, 'wallMs') / 1000)} s`, data: { ops, direct, incidents, steps: STEPS, slackCalls: calls } },
      { key: 'concurrency.peak_rss_mb', value: round(Math.max(...ops.map((o) => o.peakMb)), 1), detail: `peak RSS of the opsroom process (bot, store, workspace) over the rounds; direct runs peaked at ${fmt(Math.max(...direct.map((o) => o.peakMb)))} MB` },
      { key: 'concurrency.loop_delay_p99_ms', value: round(m(ops, 'loopP99Ms')), detail: `event-loop delay p99 while ${incidents} runs ran (max ${fmt(Math.max(...ops.map((o) => o.loopMaxMs)))} ms); direct runs p99 ${fmt(m(direct, 'loopP99Ms'))} ms` },
    ];
  } finally {
    await world.close();
  }
}

/** Starts a run per incident and runs its diagnostics (every step); resolves when all steps finished and Slack is up to date. */
async function runAll(world: World, incidents: Incident[]): Promise<void> {
  const { remediation, engine, board } = world.ops.runs;
  const finished = new Map<number, number>();
  let failed = '';
  const allDone = new Promise<void>((resolve) => {
    const off = engine.subscribe((e) => {
      if (e.type !== 'step.finished') return;
      if (e.state !== 'succeeded') failed ||= `run ${e.runId} step ${e.stepId} ${e.state}: ${e.reason}`;
      finished.set(e.runId, (finished.get(e.runId) ?? 0) + 1);
      if (finished.size === incidents.length && [...finished.values()].every((n) => n === STEPS)) { off(); resolve(); }
    });
  });
  await Promise.all(incidents.map(async (incident) => {
    const r = await remediation.start(incident, 'five', {}, incident.commander);
    await remediation.diagnostics(incident.commander, r.id);
  }));
  await allDone;
  await board.settle();
  if (failed) throw new Error(failed);
}

async function measure(work: () => Promise<unknown>): Promise<Round> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  const rss = rssSampler();
  h.enable();
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  h.disable();
  return { wallMs, peakMb: rss.stop(), loopP99Ms: h.percentile(99) / 1e6, loopMaxMs: h.max / 1e6 };
}
