// Socket Mode: `apps.connections.open` hands out a WebSocket URL; the app connects, gets `hello`,
// and then receives envelopes (slash commands, interactions, events) it acknowledges by envelope_id.
// A small RFC 6455 server (text, ping/pong, close) is enough for Slack's SDK clients.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppAnswer } from './driver/signing.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;
/** How long the workspace waits for the app's acknowledgement (Slack gives up after 3 s; we are lenient). */
const ACK_WAIT_MS = 10_000;

function frame(opcode: number, data: Buffer): Buffer {
  const len = data.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, data]);
}

type Pending = { resolve: (a: AppAnswer) => void; timer: NodeJS.Timeout; started: number };

/** One open Socket Mode connection. */
class Connection {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  closed = false;

  constructor(readonly id: string, private readonly socket: Duplex, private readonly onText: (text: string) => void, private readonly onClose: () => void) {
    socket.on('data', (d: Buffer) => this.read(d));
    socket.on('close', () => this.gone());
    socket.on('error', () => this.gone());
  }

  sendText(text: string): void {
    if (!this.closed) this.socket.write(frame(OP.text, Buffer.from(text)));
  }

  /** Sends a close frame and ends the TCP connection. */
  close(code = 1001): void {
    if (this.closed) return;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.socket.end(frame(OP.close, body));
    this.gone();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private read(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      const mask = masked ? b.subarray(at, at + 4) : undefined;
      if (masked) at += 4;
      if (b.length < at + len) return;
      const payload = Buffer.from(b.subarray(at, at + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      this.buffer = b.subarray(at + len);
      this.handle(opcode, fin, payload);
    }
  }

  private handle(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === OP.ping) return void this.socket.write(frame(OP.pong, payload));
    if (opcode === OP.pong) return;
    if (opcode === OP.close) return this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
    if (opcode === OP.text || opcode === 0x0) {
      this.fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.fragments).toString('utf8');
      this.fragments = [];
      this.onText(text);
    }
  }
}

/** The workspace's Socket Mode side: connection URLs, open connections, envelopes awaiting an ack. */
export class SocketHub {
  private readonly tickets = new Set<string>();
  private readonly connections: Connection[] = [];
  private readonly pending = new Map<string, Pending>();
  /** Envelopes sent, oldest first (for tests and the page). */
  readonly sent: { envelope_id: string; type: EnvelopeType }[] = [];

  /** `apps.connections.open`: a one-time WebSocket URL under `origin`. */
  open(origin: string): string {
    const id = randomBytes(8).toString('hex');
    this.tickets.add(id);
    return `${origin.replace(/^http/, 'ws')}/socket/${id}`;
  }

  /** True while at least one app connection is open. */
  connected(): boolean {
    return this.connections.some((c) => !c.closed);
  }

  /** Handles an HTTP upgrade to /socket/<id>; returns false for any other path. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean {
    const id = /^\/socket\/([0-9a-f]+)$/.exec(new URL(req.url ?? '/', 'http://local').pathname)?.[1];
    if (!id) return false;
    const key = req.headers['sec-websocket-key'];
    if (!this.tickets.delete(id) || typeof key !== 'string') {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return true;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    const conn: Connection = new Connection(id, socket, (t) => this.acked(t), () => {
      this.connections.splice(this.connections.indexOf(conn), 1);
    });
    this.connections.push(conn);
    conn.sendText(JSON.stringify({ type: 'hello', num_connections: this.connections.length, debug_info: { host: 'local-workspace' }, connection_info: { app_id: 'local' } }));
    return true;
  }

  /** Sends an envelope over the newest open connection; resolves with the app's ack shaped like an HTTP answer. */
  deliver(type: EnvelopeType, payload: unknown): Promise<AppAnswer> {
    const conn = [...this.connections].reverse().find((c) => !c.closed);
    if (!conn) return Promise.reject(new Error('no Socket Mode connection is open'));
    const envelopeId = randomBytes(12).toString('hex');
    this.sent.push({ envelope_id: envelopeId, type });
    return new Promise<AppAnswer>((resolve) => {
      const started = Date.now();
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve({ status: 0, body: 'no acknowledgement', headers: {}, durationMs: Date.now() - started, envelopeId });
      }, ACK_WAIT_MS);
      timer.unref();
      this.pending.set(envelopeId, { resolve, timer, started });
      conn.sendText(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
    });
  }

  private acked(text: string): void {
    let msg: { envelope_id?: string; payload?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const p = msg.envelope_id ? this.pending.get(msg.envelope_id) : undefined;
    if (!p || !msg.envelope_id) return;
    this.pending.delete(msg.envelope_id);
    clearTimeout(p.timer);
    const json = msg.payload && typeof msg.payload === 'object' && Object.keys(msg.payload).length ? msg.payload : undefined;
    p.resolve({ status: 200, body: json ? JSON.stringify(json) : '', json, headers: {}, durationMs: Date.now() - p.started, envelopeId: msg.envelope_id });
  }

  /** Closes every connection; envelopes still waiting resolve as unacknowledged. */
  close(): void {
    for (const c of [...this.connections]) c.close();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ status: 0, body: 'connection closed', headers: {}, durationMs: Date.now() - p.started, envelopeId: id });
    }
    this.pending.clear();
    this.tickets.clear();
  }
}
