/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): self time per frame and per package or source
 * folder, busy time only (idle, GC and program frames shown apart).
 *
 *   npx tsx bench/ack/profile.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface Frame { functionName: string; url: string; lineNumber: number }
interface Node { id: number; callFrame: Frame; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)']);

/** Where a frame's code lives: a package in node_modules, a folder of this project, or node itself. */
export function placeOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/(src|commands|bench)\/((?:[^/]+\/)?)/.exec(url);
  return own ? `${own[1]}/${own[2].replace(/\/$/, '')}` : url;
}

/** A project file's path from the project root (src/store/db.ts), else the place. */
const fileOf = (url: string) => /\/((?:src|commands)\/.*?)(?:\?|$)/.exec(url)?.[1] ?? placeOf(url);

export function summarizeProfile(p: Profile, top = 25): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const frames = new Map<string, number>();
  const places = new Map<string, number>();
  const special = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    if (SPECIAL.has(f.functionName)) {
      special.set(f.functionName, (special.get(f.functionName) ?? 0) + ms);
      if (f.functionName !== '(idle)') busy += ms;
      continue;
    }
    busy += ms;
    const place = placeOf(f.url);
    const name = `${f.functionName || '(anonymous)'} ${place}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    frames.set(name, (frames.get(name) ?? 0) + ms);
    places.set(place, (places.get(place) ?? 0) + ms);
  }
  // Inclusive time of this project's functions (and Bolt's receiver): each counted once per sample.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    if (SPECIAL.has(byId.get(id)!.callFrame.functionName)) continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const place = placeOf(f.url);
      if (!/^(src|commands)\//.test(place) && !/HTTPReceiver|processEvent|handleIncomingEvent/.test(f.functionName)) continue;
      const name = `${f.functionName || '(anonymous)'} ${fileOf(f.url)}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)} %`;
  const list = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `  ${pct(ms).padStart(7)}  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  return [
    `busy ${busy.toFixed(0)} ms; ${[...special].map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ')}`,
    'self time by package or folder:', ...list(places, 15),
    'self time by frame:', ...list(frames, top),
    'inclusive time of opsroom functions:', ...list(inclusive, top),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/ack/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top) || 25)}\n`);
}
