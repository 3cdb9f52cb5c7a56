import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '#config/env.js';
import { loadFileConfig, type FileConfig } from '#config/file.js';
import type { Clock } from '#core/ports.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import type { Workspace } from '#workspace/index.js';

export interface LocalOpsroom {
  ops: Opsroom;
  ws: Workspace;
  dir: string;
  /** Delivers every due effect (cards, thread lines) now. */
  settle(): Promise<void>;
  /** Messages in a channel (top level), or in a thread. */
  messages(channel: string, threadTs?: string): Array<{ ts: string; text: string; blocks?: any[]; thread_ts?: string; user: string }>;
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

/** The real opsroom (real Bolt, real store) against its local Slack workspace, on a free port. */
export async function startLocal(opts: { databaseUrl?: string; dir?: string; clock?: Clock; file?: Partial<FileConfig>; env?: Record<string, string> } = {}): Promise<LocalOpsroom> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'opsroom-'));
  const env = parseEnv({ PORT: '0', DATABASE_URL: opts.databaseUrl ?? `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'), ...opts.env });
  const file = { ...loadFileConfig(join(dir, 'none.yml')), ...opts.file } as FileConfig;
  const ops = await startOpsroom({ env, file, clock: opts.clock, logger: createLogger('silent'), loops: false, workspaceState: join(dir, 'workspace.json') });
  const ws = ops.workspace!;
  return {
    ops, ws, dir,
    settle: () => ops.dispatcher.settle(),
    messages: (channel, threadTs) =>
      ws.state.data.messages.filter((m) => m.channel === channel && (threadTs ? m.thread_ts === threadTs && m.ts !== threadTs : !m.thread_ts || m.thread_ts === m.ts)),
    async close({ keepDir } = {}) {
      await ops.close();
      if (!keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every mrkdwn/plain text in a message's blocks, joined: what a reader sees. */
export function visibleText(m: { text?: string; blocks?: any[] }): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach((x) => typeof x === 'object' && walk(x));
    }
  };
  walk(m.blocks ?? []);
  return out.length ? out.join('\n') : m.text ?? '';
}
