import { describe, expect, it } from 'vitest';
import { capOutput, OutputCapture, OutputPipe } from '#core/runs/output.js';
import { Redactor } from '#core/runs/redact.js';

const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, k) => `line ${from + k}\n`).join('');

describe('output cap', () => {
  it('keeps small output whole', () => {
    const r = capOutput('hello\nworld\n');
    expect(r).toMatchObject({ text: 'hello\nworld\n', totalBytes: 12, totalLines: 2, droppedBytes: 0, droppedLines: 0 });
  });

  it('keeps the head and the tail and says what was dropped', () => {
    const c = new OutputCapture({ headBytes: 100, tailBytes: 100 });
    const all = lines(1, 1000);
    for (let i = 0; i < all.length; i += 37) c.append(all.slice(i, i + 37));
    const r = c.result();
    expect(r.totalBytes).toBe(Buffer.byteLength(all));
    expect(r.totalLines).toBe(1000);
    expect(r.text.startsWith(all.slice(0, 100))).toBe(true);
    expect(r.text.endsWith(all.slice(-100))).toBe(true);
    expect(r.droppedBytes).toBe(Buffer.byteLength(all) - 200);
    expect(r.text).toContain(`${r.droppedBytes} bytes`);
    // The dropped middle holds the newlines between the kept head and tail.
    const middle = all.slice(100, all.length - 100);
    expect(r.droppedLines).toBe(middle.split('\n').length - 1);
    expect(r.text).not.toContain('line 500\n');
  });

  it('never splits a multi-byte character', () => {
    const text = 'é'.repeat(500);
    const r = capOutput(text, { headBytes: 11, tailBytes: 11 });
    expect(r.text).not.toContain('\uFFFD');
    const [head, tail] = r.text.split(/\n?… .* dropped …\n/);
    expect(head).toBe('é'.repeat(5));
    expect(tail).toBe('é'.repeat(5));
    expect(r.droppedBytes).toBe(1000 - 20);
  });

  it('streams redacted chunks to listeners and the capture', () => {
    const pipe = new OutputPipe(new Redactor({ secrets: ['hunter22'] }).stream());
    const seen: string[] = [];
    pipe.listen((c) => seen.push(c));
    pipe.write('pass is hun');
    pipe.write('ter22\nnext');
    pipe.end();
    expect(seen.join('')).toBe('pass is [REDACTED]\nnext');
    expect(pipe.capture.result().text).toBe('pass is [REDACTED]\nnext');
  });
});
