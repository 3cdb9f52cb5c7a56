// Server-sent events: tells open pages what changed so they can refresh.
import type { ServerResponse } from 'node:http';
import type { WorkspaceEvent } from './api/context.js';

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private timer?: NodeJS.Timeout;

  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    if (!this.timer) {
      this.timer = setInterval(() => this.clients.forEach((c) => c.write(': ping\n\n')), 15000);
      this.timer.unref();
    }
  }

  send(event: WorkspaceEvent): void {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const c of this.clients) c.write(line);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
