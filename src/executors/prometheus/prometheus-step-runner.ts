/**
 * PrometheusStepRunner: HTTP steps that carry a Prometheus check (`prometheus:` steps). The query
 * goes out through the HTTP runner (so `via` tunnels work the same); the JSON answer is shown as a
 * table of series and values, and every sample is checked against the step's thresholds.
 * Other HTTP steps pass straight to the HTTP runner.
 */
import type { PrometheusCheck, ResolvedCommand, RunOptions, StepKind, StepOutcome, StepRunner } from '#core/runs/step-runner.js';
import { HttpStepRunner, type HttpStepRunnerOptions } from '../http/http-step-runner.js';

interface Sample { labels: Record<string, string>; value: string }

export class PrometheusStepRunner implements StepRunner {
  readonly kinds: readonly StepKind[] = ['http'];

  private readonly http: HttpStepRunner;
  /** Answers are read whole (up to 4 MiB) to be parsed; only the table is shown. */
  private readonly queries: HttpStepRunner;

  constructor(options: HttpStepRunnerOptions = {}) {
    this.http = new HttpStepRunner(options);
    this.queries = new HttpStepRunner({ ...options, maxBodyBytes: 4 * 1024 * 1024 });
  }

  async run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    if (command.kind !== 'http' || !command.prometheus) return this.http.run(command, options);
    const check = command.prometheus;
    // Prometheus stops the query itself a little before the step's timeout.
    const url = `${command.url}&timeout=${Math.max(1, Math.floor(options.timeoutMs / 1000) - 1)}s`;
    const raw = await this.queries.run({ ...command, url }, { ...options, onOutput: () => {} });
    if (raw.error || raw.timedOut) return { ...raw, output: '' };
    const body = raw.output.slice(raw.output.indexOf('\n') + 1);
    const emit = (text: string, status: number | undefined, error?: string): StepOutcome => {
      options.onOutput(text);
      return { exitCode: null, output: text, timedOut: false, ...(status !== undefined && { httpStatus: status }), ...(error && { error }) };
    };
    let answer: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } };
    try {
      answer = JSON.parse(body);
    } catch {
      return emit(raw.output.slice(0, 2000), raw.httpStatus, `Prometheus did not answer JSON (HTTP ${raw.httpStatus ?? '?'}${/more bytes of body not shown\n$/.test(raw.output) ? ', answer over 4 MiB' : ''})`);
    }
    if (answer.status !== 'success')
      return emit(`${answer.errorType ?? 'error'}: ${answer.error ?? body}\n`, raw.httpStatus, `Prometheus refused the query: ${answer.error ?? answer.errorType ?? 'no reason given'}`);
    const samples = samplesOf(answer.data?.resultType, answer.data?.result);
    const table = formatTable(samples);
    const problem = judgeSamples(samples, check);
    return emit(`${table}${problem ? `\n${problem}\n` : ''}`, raw.httpStatus, problem);
  }

}

function samplesOf(type: string | undefined, result: unknown): Sample[] {
  if (type === 'scalar' || type === 'string') return [{ labels: {}, value: String((result as unknown[])[1]) }];
  if (type !== 'vector' || !Array.isArray(result)) return [];
  return result.map((r: { metric?: Record<string, string>; value?: [number, string]; histogram?: unknown }) => ({
    labels: r.metric ?? {},
    value: r.value ? r.value[1] : 'histogram',
  }));
}

/** `{job="a", instance="b"}`, or the metric name followed by its other labels. */
function seriesName(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  if (!name && !inner) return 'value';
  return `${name ?? ''}${inner || !name ? `{${inner}}` : ''}`;
}

function formatTable(samples: Sample[]): string {
  if (!samples.length) return 'no samples\n';
  const rows = samples.map((s) => [seriesName(s.labels), s.value]);
  const width = Math.max('SERIES'.length, ...rows.map((r) => r[0].length));
  return [['SERIES', 'VALUE'], ...rows].map(([a, b]) => `${a.padEnd(width)}  ${b}`).join('\n') + '\n';
}

/** Why the samples do not satisfy the check (undefined: they do). */
function judgeSamples(samples: Sample[], c: PrometheusCheck): string | undefined {
  if (!samples.length) return c.empty === 'ok' ? undefined : `no data: the query returned no samples (${c.query})`;
  const bad: string[] = [];
  for (const s of samples) {
    const v = Number(s.value);
    const name = seriesName(s.labels);
    if (Number.isNaN(v) && (c.below !== undefined || c.above !== undefined)) bad.push(`${name} = NaN`);
    else if (c.below !== undefined && !(v < c.below)) bad.push(`${name} = ${s.value}, not below ${c.below}`);
    else if (c.above !== undefined && !(v > c.above)) bad.push(`${name} = ${s.value}, not above ${c.above}`);
  }
  if (!bad.length) return undefined;
  const more = bad.length > 3 ? ` (and ${bad.length - 3} more)` : '';
  return `${bad.slice(0, 3).join('; ')}${more}`;
}
