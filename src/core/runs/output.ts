/**
 * Output capture with a cap: the head and the tail are kept, the middle is dropped and counted.
 * Sizes are UTF-8 bytes; a cut never splits a character.
 */
export interface CapturedOutput {
  /** Head, a marker line saying what was dropped (if anything), tail. */
  text: string;
  totalBytes: number;
  totalLines: number;
  droppedBytes: number;
  droppedLines: number;
}

export interface OutputCapOptions {
  /** Bytes kept from the start. */
  headBytes?: number;
  /** Bytes kept from the end. */
  tailBytes?: number;
}

const DEFAULT_HEAD_BYTES = 16 * 1024;
const DEFAULT_TAIL_BYTES = 48 * 1024;

const NL = 0x0a;
const countLines = (b: Buffer): number => {
  let n = 0;
  for (let i = b.indexOf(NL); i >= 0; i = b.indexOf(NL, i + 1)) n++;
  return n;
};
/** Is this byte the start of a UTF-8 character (not a continuation byte)? */
const isCharStart = (byte: number): boolean => (byte & 0xc0) !== 0x80;

export class OutputCapture {
  private readonly headMax: number;
  private readonly tailMax: number;
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailSize = 0;
  private total = 0;
  private lines = 0;
  private droppedBytes = 0;
  private droppedLines = 0;
  private endsWithNewline = true;

  constructor(options: OutputCapOptions = {}) {
    this.headMax = options.headBytes ?? DEFAULT_HEAD_BYTES;
    this.tailMax = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  }

  append(chunk: string): void {
    if (!chunk) return;
    let buf = Buffer.from(chunk, 'utf8');
    this.total += buf.length;
    this.lines += countLines(buf);
    this.endsWithNewline = buf[buf.length - 1] === NL;
    if (this.head.length < this.headMax && this.tail.length === 0) {
      let room = Math.min(this.headMax - this.head.length, buf.length);
      while (room > 0 && room < buf.length && !isCharStart(buf[room])) room--;
      this.head = Buffer.concat([this.head, buf.subarray(0, room)]);
      buf = buf.subarray(room);
      if (buf.length === 0) return;
    }
    this.tail.push(buf);
    this.tailSize += buf.length;
    this.trimTail();
  }

  private trimTail(): void {
    let excess = this.tailSize - this.tailMax;
    if (excess <= 0) return;
    const joined = Buffer.concat(this.tail);
    while (excess < joined.length && !isCharStart(joined[excess])) excess++;
    const dropped = joined.subarray(0, excess);
    this.droppedBytes += dropped.length;
    this.droppedLines += countLines(dropped);
    const kept = joined.subarray(excess);
    this.tail = kept.length ? [Buffer.from(kept)] : [];
    this.tailSize = kept.length;
  }

  get truncated(): boolean {
    return this.droppedBytes > 0;
  }

  result(): CapturedOutput {
    const head = this.head.toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    let text = head + tail;
    if (this.droppedBytes > 0) {
      const sep = head.endsWith('\n') || head === '' ? '' : '\n';
      text = `${head}${sep}… ${this.droppedBytes} bytes (${this.droppedLines} lines) dropped …\n${tail}`;
    }
    return {
      text,
      totalBytes: this.total,
      totalLines: this.lines + (this.total > 0 && !this.endsWithNewline ? 1 : 0),
      droppedBytes: this.droppedBytes,
      droppedLines: this.droppedLines,
    };
  }
}

/** Caps a whole text at once. */
export function capOutput(text: string, options: OutputCapOptions = {}): CapturedOutput {
  const c = new OutputCapture(options);
  c.append(text);
  return c.result();
}

export type OutputListener = (chunk: string) => void;

/**
 * Raw output in, redacted output out: to the capture and to every listener, as it arrives.
 * `redact` turns a raw chunk into what may be shown now (a StreamRedactor's push), `flush` the rest.
 */
export class OutputPipe {
  readonly capture: OutputCapture;
  private readonly listeners = new Set<OutputListener>();
  private closed = false;

  constructor(
    private readonly stream: { push(chunk: string): string; end(): string },
    options: OutputCapOptions = {},
  ) {
    this.capture = new OutputCapture(options);
  }

  listen(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many raw characters went in (to know whether a runner streamed at all). */
  rawChars = 0;

  write(raw: string): void {
    if (this.closed || !raw) return;
    this.rawChars += raw.length;
    this.emit(this.stream.push(raw));
  }

  end(): void {
    if (this.closed) return;
    this.emit(this.stream.end());
    this.closed = true;
  }

  private emit(text: string): void {
    if (!text) return;
    this.capture.append(text);
    for (const l of this.listeners) {
      try {
        l(text);
      } catch {
        // A watcher's failure never disturbs the step.
      }
    }
  }
}
