import { existsSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readSource, type SourceLine } from '../../src/ingest/readers.js';
import { tempDir, writeFixture } from '../helpers.js';

async function readAll(file: string): Promise<{ lines: SourceLine[]; batches: number }> {
  const lines: SourceLine[] = [];
  let batches = 0;
  for await (const batch of readSource(file)) {
    batches += 1;
    lines.push(...batch);
  }
  return { lines, batches };
}

describe('readSource', () => {
  it('numbers CSV records by the line they start on, across a quoted field that spans lines', async () => {
    const file = writeFixture(tempDir(), 'products.csv', ['id,title', 'a,"two', 'lines"', '', 'b,plain', 'c']);
    const { lines } = await readAll(file);
    expect(lines.map((l) => ('record' in l ? [l.line, l.record] : [l.line, l.error]))).toEqual([
      [3, { id: 'a', title: 'two\nlines' }],
      [5, { id: 'b', title: 'plain' }],
      [6, 'expected 2 cells as in the header, got 1'],
    ]);
    expect(lines.at(-1)?.bytes).toBe(statSync(file).size);
  });

  it('numbers CSV records the same with a byte-order mark, Windows line ends, blank lines and quoted line ends', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'brands.csv');
    writeFileSync(file, '\ufeffid,name\r\nb1,One\r\n\r\n\r\nb2,"Two\r\nlines"\r\nb3,"Three\r\nmore\r\nlines"\r\nb4,Four');
    const { lines } = await readAll(file);
    expect(lines.map((l) => ('record' in l ? [l.line, l.record] : [l.line, l.error]))).toEqual([
      [2, { id: 'b1', name: 'One' }],
      [6, { id: 'b2', name: 'Two\r\nlines' }],
      [9, { id: 'b3', name: 'Three\r\nmore\r\nlines' }],
      [10, { id: 'b4', name: 'Four' }],
    ]);
    expect(lines.at(-1)?.bytes).toBe(statSync(file).size);
  });

  it('numbers JSON Lines records by line, skipping blank lines and reporting bad ones', async () => {
    const file = writeFixture(tempDir(), 'users.jsonl', ['{"id":"u1"}', '', '[1]', '{oops', '{"id":"u2"}']);
    const { lines } = await readAll(file);
    expect(lines.map((l) => ('record' in l ? [l.line, l.record] : [l.line, l.error.split(':')[0]]))).toEqual([
      [1, { id: 'u1' }],
      [3, 'expected a JSON object'],
      [4, 'invalid JSON'],
      [5, { id: 'u2' }],
    ]);
  });

  it('delivers every record of a file larger than its queue, in order, while the consumer is slow', async () => {
    const count = 200_000;
    const file = writeFixture(tempDir(), 'events.csv', ['id', ...Array.from({ length: count }, (_, i) => `e${i}`)]);
    const lines: SourceLine[] = [];
    let batches = 0;
    for await (const batch of readSource(file)) {
      batches += 1;
      lines.push(...batch);
      // A slow consumer: meanwhile the reader must pause at its queue bound, neither dropping nor piling up records.
      if (batches <= 2) await new Promise((resolve) => setTimeout(resolve, 600));
      expect(batch.length).toBeLessThan(40_000); // its bound is 20,000, plus what one chunk holds
    }
    expect(lines).toHaveLength(count);
    expect(lines.every((l, i) => 'record' in l && l.record.id === `e${i}` && l.line === i + 2)).toBe(true);
    expect(batches).toBeGreaterThan(1);
  });

  // Linux: open descriptors are listed in /proc/self/fd.
  it.runIf(existsSync('/proc/self/fd'))('closes the file when the consumer stops early', async () => {
    const openOn = (file: string) => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    }).length;
    for (const [name, lines] of [
      ['events.csv', ['id', ...Array.from({ length: 100_000 }, (_, i) => `e${i}`)]],
      ['events.jsonl', Array.from({ length: 100_000 }, (_, i) => `{"id":"e${i}"}`)],
    ] as const) {
      const file = writeFixture(tempDir(), name, [...lines]);
      for await (const batch of readSource(file)) {
        expect(batch.length).toBeGreaterThan(0);
        expect(openOn(file)).toBe(1);
        break;
      }
      await vi.waitFor(() => expect(openOn(file), name).toBe(0), { timeout: 5_000, interval: 10 });
    }
  });

  it('refuses a CSV header that names a column twice', async () => {
    const file = writeFixture(tempDir(), 'brands.csv', ['id,name,id', 'b1,B,b1']);
    await expect(readAll(file)).rejects.toThrow(`${file}:1: header names column "id" twice`);
  });
});
