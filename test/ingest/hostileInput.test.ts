import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { BulkReader } from '../../src/ingest/bulkRecords.js';
import { formatRejection, IngestError, ingestFiles, type IngestOptions } from '../../src/ingest/ingest.js';
import type { Kind } from '../../src/ingest/records.js';
import { freshGraph, jsonl, tempDir, writeFixture } from '../helpers.js';

/**
 * Ingestion of files a hostile or careless source wrote: future times, numbers out of range, control
 * characters, a wrong CSV header. Each is refused with its file, line and field, and nothing of it is written.
 */

let graph: Graph;
let config: Config;
let dir: string;

const ingest = (kind: Kind, files: string[], extra: Partial<IngestOptions> = {}) =>
  ingestFiles(graph, { kind, files, batchSize: 2, relationTypes: config.relationTypes, ...extra });

/** Every node and relationship with its properties, in a stable order: "the graph as it was". */
async function snapshot(): Promise<string> {
  const nodes = await graph.read('MATCH (n) WHERE NOT n:KgrecMigration RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id');
  const rels = await graph.read('MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b');
  return JSON.stringify({ nodes, rels });
}

// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HOUR = 3600 * 1000;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  dir = tempDir();
  const products = writeFixture(dir, 'products.jsonl', jsonl([{ id: 'p1', title: 'One' }, { id: 'p2', title: 'Two' }]));
  expect((await ingest('products', [products])).written).toBe(2);
});

afterAll(async () => {
  await graph.close();
});

describe('future-dated events', () => {
  it('are refused with file, line and field, and leave the graph unchanged', async () => {
    const before = await snapshot();
    const file = writeFixture(dir, 'events-future.jsonl', [
      JSON.stringify({ id: 'f1', userId: 'u1', productId: 'p1', type: 'purchase', timestamp: '2099-01-01T00:00:00Z' }),
      '',
      JSON.stringify({ id: 'f2', userId: 'u1', productId: 'p2', type: 'view', timestamp: Date.now() + HOUR }),
    ]);
    const rejections: string[] = [];
    for (const thread of [false, true]) {
      rejections.length = 0;
      const summary = await ingest('events', [file], { thread, onReject: (r) => rejections.push(formatRejection(r)) });
      expect(summary).toMatchObject({ records: 2, written: 0, rejected: 2 });
      expect(rejections[0]).toBe(`${file}:1: timestamp: 2099-01-01T00:00:00Z is later than the server's clock (+300 s allowed)`);
      expect(rejections[1]).toMatch(new RegExp(`^${file}:3: timestamp: \\S+ is later than the server's clock \\(\\+300 s allowed\\)$`));
    }
    expect(await snapshot()).toBe(before);
  });

  it('pass within the configured skew, and the rest of the file is written', async () => {
    const soon = Date.now() + 2 * 60 * 1000;
    const file = writeFixture(dir, 'events-mixed.csv', [
      'id,userId,productId,type,timestamp,quantity',
      `m1,u1,p1,view,${Date.UTC(2026, 0, 1)},`,
      `m2,u1,p1,view,2099-01-01T00:00:00Z,`,
      `m3,u2,p2,view,${soon},`,
    ]);
    const rejections: string[] = [];
    const summary = await ingest('events', [file], { onReject: (r) => rejections.push(formatRejection(r)) });
    expect(summary).toMatchObject({ written: 2, rejected: 1 });
    expect(rejections).toEqual([`${file}:3: timestamp: 2099-01-01T00:00:00Z is later than the server's clock (+300 s allowed)`]);
    const [row] = await graph.read<{ ids: string[]; latest: number }>(
      'MATCH (e:Event) WITH collect(e.id) AS ids MATCH ()-[r:VIEWED]->() RETURN ids, max(r.lastAt) AS latest',
    );
    expect([...(row?.ids ?? [])].sort()).toEqual(['m1', 'm3']);
    expect(row?.latest).toBe(soon);
    // With no skew allowed, the same near-future event is refused.
    const strict = writeFixture(dir, 'events-strict.csv', ['id,userId,productId,type,timestamp', `s1,u1,p1,view,${Date.now() + 60_000}`]);
    expect(await ingest('events', [strict], { maxClockSkewSeconds: 0 })).toMatchObject({ written: 0, rejected: 1 });
  });
});

describe('numbers out of range', () => {
  it('are refused naming the field, and nothing of them is written', async () => {
    const before = await snapshot();
    const events = writeFixture(dir, 'events-quantity.csv', [
      'id,userId,productId,type,timestamp,quantity',
      'q1,u1,p1,purchase,2026-01-01T00:00:00Z,0',
      'q2,u1,p1,purchase,2026-01-01T00:00:00Z,10001',
      'q3,u1,p1,purchase,2026-01-01T00:00:00Z,1e308',
    ]);
    const relations = writeFixture(dir, 'relations.jsonl', [
      JSON.stringify({ from: 'p1', to: 'p2', type: 'COMPLEMENTS', weight: 1e308 }),
      JSON.stringify({ from: 'p2', to: 'p1', type: 'COMPLEMENTS', weight: -1e308 }),
      '{"from":"p2","to":"p1","type":"SUBSTITUTES","weight":-0.5}',
    ]);
    const products = writeFixture(dir, 'products-price.csv', ['id,title,price', 'p1,One,1e300', 'p2,Two,-1']);
    const rejections: string[] = [];
    const onReject = (r: Parameters<typeof formatRejection>[0]) => rejections.push(formatRejection(r));
    expect(await ingest('events', [events], { onReject })).toMatchObject({ written: 0, rejected: 3 });
    expect(await ingest('relations', [relations], { onReject })).toMatchObject({ written: 0, rejected: 3 });
    expect(await ingest('products', [products], { onReject })).toMatchObject({ written: 0, rejected: 2 });
    expect(rejections).toEqual([
      `${events}:2: quantity: expected a whole number from 1 to 10,000, got "0"`,
      `${events}:3: quantity: expected a whole number from 1 to 10,000, got "10001"`,
      `${events}:4: quantity: expected a whole number from 1 to 10,000, got "1e308"`,
      `${relations}:1: weight: expected a number from 0 to 1,000, got 1e+308`,
      `${relations}:2: weight: expected a number from 0 to 1,000, got -1e+308`,
      `${relations}:3: weight: expected a number from 0 to 1,000, got -0.5`,
      `${products}:2: price: expected a number from 0 to 1,000,000,000,000, got "1e300"`,
      `${products}:3: price: expected a number from 0 to 1,000,000,000,000, got "-1"`,
    ]);
    expect(await snapshot()).toBe(before);
  });
});

describe('control characters in input', () => {
  it('never reach a rejection line, on the console or in the report', async () => {
    const before = await snapshot();
    const report = path.join(dir, 'report.txt');
    const file = writeFixture(dir, 'events-ansi.jsonl', [
      JSON.stringify({ userId: 'u1', productId: 'p1', type: '\u001b]0;owned\u0007\u001b[2J', timestamp: '2026-01-01' }),
      '{"userId": "u1", "productId": "p1", "type": "view", "timestamp": \u001b[31m}',
      JSON.stringify({ id: 'same', userId: 'u1\r\u001b[1A', productId: 'p1', type: 'view', timestamp: '\u009b2026' }),
    ]);
    const shown: string[] = [];
    const summary = await ingest('events', [file], { reportFile: report, onReject: (r) => shown.push(formatRejection(r)) });
    expect(summary).toMatchObject({ written: 0, rejected: 3 });
    const reported = readFileSync(report, 'utf8').trimEnd().split('\n');
    expect(reported).toEqual(shown);
    expect(shown).toHaveLength(4);
    for (const line of shown) expect(line).not.toMatch(CONTROL);
    expect(shown[0]).toBe(`${file}:1: type: expected one of view, click, add_to_cart, purchase, impression, hide, got "\\u001b]0;owned\\u0007\\u001b[2J"`);
    expect(shown[1]).toMatch(new RegExp(`^${file}:2: \\(line\\): invalid JSON: .*\\\\u001b`));
    // The carriage return is whitespace, collapsed to a space; the escape is refused in an id.
    expect(shown[2]).toBe(`${file}:3: userId: expected text without control characters, got "\\u001b" at character 4`);
    expect(shown[3]).toBe(`${file}:3: timestamp: expected ISO-8601 or epoch milliseconds, got "\\u009b2026"`);
    expect(await snapshot()).toBe(before);
  });
});

describe('a CSV header', () => {
  it('with unknown or missing columns stops the run naming them, with nothing written', async () => {
    const before = await snapshot();
    const file = writeFixture(dir, 'products.csv', ['id,title,colour,szie', 'p9,Nine,red,42']);
    const failure = await ingest('products', [file]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IngestError);
    expect((failure as IngestError).message).toBe(
      `${file}:1: unknown column(s) "colour", "szie"; expected id, title and optionally description, categoryId, brandId, price, currency, inStock, createdAt, attributes`,
    );
    const events = writeFixture(dir, 'events-header.csv', ['id,userId,productId,type', 'h1,u1,p1,view']);
    await expect(ingest('events', [events])).rejects.toThrow(`${events}:1: missing column(s) "timestamp"; expected userId, productId, type, timestamp and optionally id, quantity`);
    expect(await snapshot()).toBe(before);
  });
});

describe('a bulk load', () => {
  it('reads files with the same time and range checks', async () => {
    const file = writeFixture(dir, 'bulk-events.csv', [
      'id,userId,productId,type,timestamp,quantity',
      'b1,u1,p1,view,2026-01-01T00:00:00Z,',
      'b2,u1,p1,view,2099-01-01T00:00:00Z,',
      'b3,u1,p1,purchase,2026-01-01T00:00:00Z,20000',
    ]);
    for (const thread of [false, true]) {
      const rejections: string[] = [];
      const reader = new BulkReader({ events: [file] }, { relationTypes: config.relationTypes, maxClockSkewSeconds: 300, onRejection: (r) => rejections.push(formatRejection(r)) });
      const ids: string[] = [];
      await reader.each<{ id: string }>('events', (item) => void ids.push(item.value.id), { thread });
      expect(ids).toEqual(['b1']);
      expect(rejections).toEqual([
        `${file}:3: timestamp: 2099-01-01T00:00:00Z is later than the server's clock (+300 s allowed)`,
        `${file}:4: quantity: expected a whole number from 1 to 10,000, got "20000"`,
      ]);
    }
  });
});
