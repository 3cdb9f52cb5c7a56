/**
 * Streaming: a Docker step printing 20,000 lines (100 bursts of 200, 50 ms apart; smoke: 2,000), started the
 * way the Run button starts it, its output streamed to the incident thread by the run board; against
 * the same command run directly (dockerode exec, output collected). Interleaved rounds. Counts every
 * Web API call the workspace received during the step, peak RSS of this process, wall time.
 */
import Docker from 'dockerode';
import type { RunEvent } from '#core/runs/index.js';
import { dockerodeExec } from '../lib/exec.js';
import { progress, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, median, medianSpread, round } from '../lib/stats.js';
import { rssSampler, startWorld } from '../lib/world.js';
import { performance } from 'node:perf_hooks';

const log = (m: string) => progress('stream', m);
/** 200-line bursts, 50 ms apart. */
const script = (lines: number) => `for b in $(seq 1 ${lines / 200}); do for i in $(seq 1 200); do echo "line $b.$i of the activity log"; done; sleep 0.05; done`;
const runbook = (lines: number) => `
title: Stream bench
description: Prints ${lines} lines.
match: { keywords: [bench-stream] }
docker: { project: shop }
steps:
  - id: print
    title: Print ${lines} lines
    docker: { service: api, exec: [sh, -c, '${script(lines)}'] }
    timeout: 120s
`;

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  const rounds = smoke ? 1 : 5;
  const LINES = smoke ? 2_000 : 20_000;
  const SCRIPT = script(LINES);
  const world = await startWorld({ stream: runbook(LINES) });
  try {
    const { ops, ws } = world;
    const remediation = ops.runs.remediation;
    const incident = await world.open('Checkout API stream bench');
    const docker = new Docker({ socketPath: world.docker.socketPath });
    const [c] = await docker.listContainers({ filters: { label: ['com.docker.compose.service=api'] } });
    const wall = { opsroom: [] as number[], direct: [] as number[] };
    const calls: number[] = [];
    const byMethod: Record<string, number> = {};
    const peaks: number[] = [], before: number[] = [];

    const viaOpsroom = async () => {
      const r = await remediation.start(incident, 'stream', {}, 'U0ALICE');
      const from = ws.calls().length;
      before.push(process.memoryUsage().rss / 2 ** 20);
      const rss = rssSampler();
      const finished = new Promise<Extract<RunEvent, { type: 'step.finished' }>>((resolve) => {
        const off = ops.runs.engine.subscribe((e) => { if (e.type === 'step.finished') { off(); resolve(e); } }, { runId: r.id });
      });
      const t0 = performance.now();
      await remediation.clickStep('U0ALICE', r.id, 'print', 'run');
      const done = await finished;
      await ops.runs.board.settle(); // the last edit (final output, state) has reached Slack
      wall.opsroom.push(performance.now() - t0);
      peaks.push(rss.stop());
      if (done.state !== 'succeeded') throw new Error(`stream step ${done.state}: ${done.reason}`);
      const made = ws.calls().slice(from);
      calls.push(made.length);
      for (const m of made) byMethod[m.method] = (byMethod[m.method] ?? 0) + 1;
      const last = ws.state.data.messages.filter((m) => m.thread_ts === incident.cardTs).some((m) => JSON.stringify(m.blocks ?? m.text).includes(`line ${LINES / 200}.200 of the activity log`));
      if (!last) throw new Error('the last line never reached the thread');
    };
    const direct = async () => {
      const t0 = performance.now();
      const out = await dockerodeExec(docker, c.Id, ['sh', '-c', SCRIPT]);
      wall.direct.push(performance.now() - t0);
      const n = out.split('\n').filter(Boolean).length;
      if (n !== LINES) throw new Error(`direct exec printed ${n} lines`);
    };
    log(`${rounds} rounds: opsroom step streamed to Slack vs dockerode exec, ${LINES} lines each`);
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) { await viaOpsroom(); await direct(); } else { await direct(); await viaOpsroom(); }
    }
    const [o, d] = [median(wall.opsroom), median(wall.direct)];
    log(`opsroom ${medianSpread(wall.opsroom)}; direct ${medianSpread(wall.direct)}; Slack calls per run ${calls.join(', ')}; peak RSS ${peaks.map((p) => fmt(p)).join(', ')} MB`);
    const perRun = Object.entries(byMethod).map(([m, n]) => `${m} ${fmt(n / rounds)}`).join(', ');
    return [
      { key: 'stream.slack_calls', value: median(calls), detail: `Web API calls per ${LINES}-line step (median of ${rounds}; ${fmt(o / 1000)} s step): ${perRun}`, data: { calls, byMethod, rounds } },
      { key: 'stream.peak_rss_mb', value: round(Math.max(...peaks), 1), detail: `peak RSS of the opsroom process (bot, store, workspace) while streaming; ${fmt(median(before))} MB before the step; per round ${peaks.map((p) => fmt(p)).join(', ')} MB` },
      { key: 'stream.wall_ratio', value: round(o / d), detail: `click to last Slack edit ${medianSpread(wall.opsroom)} / dockerode exec ${medianSpread(wall.direct)}`, data: wall },
    ];
  } finally {
    await world.close();
  }
}
