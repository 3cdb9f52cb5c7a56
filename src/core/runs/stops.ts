/**
 * Stop requests: a person asks to stop a running step. The request is stored, so it reaches the
 * process running the step wherever the click landed; that process polls for requests on its
 * running steps and aborts them (the executor kills the remote process).
 */
export interface StepKey {
  runId: number;
  stepId: string;
  attempt: number;
}

export interface StopRequest extends StepKey {
  requestedBy: string;
  requestedAt: Date;
}

export interface StopRequestStore {
  /** Stores the request; false when that attempt was already asked to stop. */
  requestStop(req: StopRequest): Promise<boolean>;
  /** The requests among `keys` (the steps running in this process). */
  stopRequests(keys: readonly StepKey[]): Promise<StopRequest[]>;
}

/** The reason a stopped step ends with (interrupted). */
export const stoppedReason = (by: string) => `stopped by ${by}`;

/** Who stopped a step, from its reason; undefined when it was not stopped by a person. */
export const stoppedBy = (reason: string | null | undefined): string | undefined => /^stopped by (\S+)$/.exec(reason ?? '')?.[1];

/** A step running in this process, as the watcher sees it. */
export interface RunningStep extends StepKey {
  stop(by: string): void;
}

/** Polls the store for stop requests on this process's running steps, while there are any. */
export class StopWatcher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: StopRequestStore | undefined,
    private readonly running: () => RunningStep[],
    private readonly pollMs = 1000,
  ) {}

  /** Starts polling (idempotent); it stops by itself once nothing runs. */
  watch(): void {
    if (this.timer || !this.store) return;
    this.timer = setInterval(() => {
      if (!this.running().length) return this.close();
      void this.check().catch(() => undefined);
    }, this.pollMs);
    this.timer.unref();
  }

  /** Stops every running step that has a request. */
  async check(): Promise<void> {
    const running = this.running();
    if (!running.length || !this.store) return;
    const key = (k: StepKey) => `${k.runId}/${k.stepId}/${k.attempt}`;
    const byKey = new Map(running.map((r) => [key(r), r]));
    for (const req of await this.store.stopRequests(running)) byKey.get(key(req))?.stop(req.requestedBy);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
