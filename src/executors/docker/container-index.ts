/**
 * The engine's container list, kept while its event stream says nothing changed, so an exec step
 * finds its container without asking the engine each time. Any lifecycle event (create, start, die,
 * rename, health change, …) drops the list; exec events (every step and health check makes some)
 * do not. Without a live event stream nothing is kept: each call lists.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

/** Container actions that leave the list as it was. */
const QUIET = /^(exec_|attach|commit|copy|export|top|resize|archive-path|extract-to-dir)/;

export class ContainerIndex {
  private snapshot: Promise<Docker.ContainerInfo[]> | undefined;
  private events: Readable | undefined;
  private subscribing: Promise<void> | undefined;

  constructor(private readonly docker: Docker) {}

  /** Every container, as `docker ps --all` lists them. */
  async list(): Promise<Docker.ContainerInfo[]> {
    if (!this.events) await this.watch();
    if (!this.events) return this.docker.listContainers({ all: true });
    if (!this.snapshot) {
      const taken = this.docker.listContainers({ all: true });
      this.snapshot = taken;
      taken.catch(() => { if (this.snapshot === taken) this.snapshot = undefined; });
    }
    return this.snapshot;
  }

  /** Forget the list (this process changed a container and must not wait for the event). */
  changed(): void {
    this.snapshot = undefined;
  }

  close(): void {
    this.events?.destroy();
    this.events = undefined;
    this.snapshot = undefined;
  }

  private watch(): Promise<void> {
    this.subscribing ??= this.subscribe().finally(() => { this.subscribing = undefined; });
    return this.subscribing;
  }

  private async subscribe(): Promise<void> {
    let stream: Readable;
    try {
      stream = (await this.docker.getEvents({ filters: { type: ['container'] } })) as unknown as Readable;
    } catch {
      return; // listed each time until a later call subscribes
    }
    // The stream answers once the engine registered it: a list taken after this sees every change.
    this.events = stream;
    this.snapshot = undefined;
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const action = actionOf(line);
        if (action === undefined || !QUIET.test(action)) this.snapshot = undefined;
      }
    });
    const lost = () => {
      if (this.events !== stream) return;
      this.events = undefined;
      this.snapshot = undefined;
    };
    stream.once('error', lost);
    stream.once('close', lost);
    stream.once('end', lost);
    // The stream alone must not keep the process alive.
    (stream as unknown as { socket?: { unref?: () => void } }).socket?.unref?.();
  }
}

function actionOf(line: string): string | undefined {
  try {
    const e = JSON.parse(line) as { Action?: string; status?: string };
    return e.Action ?? e.status;
  } catch {
    return undefined;
  }
}
