import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedCommand, RunOptions } from '#core/runs/step-runner.js';
import { HttpStepRunner } from '#executors/http/http-step-runner.js';
import { freePort } from '../support/peers/sshd.js';

const opts = (over: Partial<RunOptions> = {}): RunOptions & { chunks: string[] } => {
  const chunks: string[] = [];
  return { timeoutMs: 10_000, signal: new AbortController().signal, onOutput: (c) => chunks.push(c), chunks, ...over };
};
const http = (url: string, extra: Partial<Extract<ResolvedCommand, { kind: 'http' }>> = {}): ResolvedCommand =>
  ({ kind: 'http', method: 'GET', url, ...extra });

/** A small service: /health is healthy or not, /echo returns what it received, /hang never answers. */
function handler(state: { healthy: boolean }) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (req.url === '/health') {
        res.writeHead(state.healthy ? 200 : 500, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ status: state.healthy ? 'ok' : 'degraded' }));
      }
      if (req.url === '/echo') {
        res.writeHead(201);
        return res.end(`${req.method} key=${req.headers['x-api-key'] ?? ''} body=${body}`);
      }
      if (req.url === '/big') { res.writeHead(200); return res.end('x'.repeat(100_000)); }
      if (req.url === '/hang') return; // never answers
      res.writeHead(404);
      res.end('not found');
    });
  };
}

describe('HttpStepRunner against local servers', () => {
  const state = { healthy: true };
  let server: Server;
  let base: string;
  let tls: Server;
  let tlsBase: string;
  let dir: string;
  const runner = new HttpStepRunner({ maxBodyBytes: 1000 });

  beforeAll(async () => {
    server = createServer(handler(state));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = mkdtempSync(join(tmpdir(), 'opsroom-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, handler(state));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
    tlsBase = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server?.closeAllConnections(); server?.close();
    tls?.closeAllConnections(); tls?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports status and body; a 500 is a status, not an error', async () => {
    state.healthy = true;
    const o = opts();
    const ok = await runner.run(http(`${base}/health`), o);
    expect(ok).toEqual({ exitCode: null, httpStatus: 200, timedOut: false, output: 'HTTP/1.1 200 OK\n{"status":"ok"}' });
    expect(o.chunks.join('')).toBe(ok.output);
    state.healthy = false;
    const bad = await runner.run(http(`${base}/health`), opts());
    expect(bad).toMatchObject({ httpStatus: 500, output: 'HTTP/1.1 500 Internal Server Error\n{"status":"degraded"}' });
    expect(bad.error).toBeUndefined();
  });

  it('sends method, headers and body', async () => {
    const r = await runner.run(http(`${base}/echo`, { method: 'post', headers: { 'X-API-Key': 'dev' }, body: 'a=1' }), opts());
    expect(r).toMatchObject({ httpStatus: 201, output: 'HTTP/1.1 201 Created\nPOST key=dev body=a=1' });
  });

  it('caps a large body and says how much was dropped', async () => {
    const r = await runner.run(http(`${base}/big`), opts());
    expect(r.output).toBe(`HTTP/1.1 200 OK\n${'x'.repeat(1000)}\n… 99000 more bytes of body not shown\n`);
  });

  it('times out a request that never answers', async () => {
    const r = await runner.run(http(`${base}/hang`), opts({ timeoutMs: 300 }));
    expect(r).toMatchObject({ timedOut: true, exitCode: null, output: '' });
    expect(r.httpStatus).toBeUndefined();
  });

  it('a refused connection is an error', async () => {
    const port = await freePort();
    const r = await runner.run(http(`http://127.0.0.1:${port}/health`), opts());
    expect(r.error).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/health failed: connect ECONNREFUSED`));
    expect(r.httpStatus).toBeUndefined();
  });

  it('verifies TLS unless the step says insecure', async () => {
    const strict = await runner.run(http(`${tlsBase}/health`), opts());
    expect(strict.error).toMatch(/self[- ]signed/i);
    state.healthy = true;
    const loose = await runner.run(http(`${tlsBase}/health`, { insecure: true }), opts());
    expect(loose).toMatchObject({ httpStatus: 200, output: 'HTTP/1.1 200 OK\n{"status":"ok"}' });
  });

  it('rejects bad URLs before sending anything', async () => {
    expect((await runner.run(http('not a url'), opts())).error).toBe('Invalid URL: not a url');
    expect((await runner.run(http('file:///etc/passwd'), opts())).error).toMatch(/^Unsupported URL scheme file:/);
  });
});
