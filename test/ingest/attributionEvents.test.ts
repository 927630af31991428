import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { readAttributedEvents } from '../../src/graph/servedLists.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import type { Kind } from '../../src/ingest/records.js';
import { freshGraph, jsonl, tempDir, writeFixture } from '../helpers.js';

/** `kgrec ingest` of the attribution event types and fields, as recordEvents takes them. */

let graph: Graph;
let config: Config;
let dir: string;

const ingest = (kind: Kind, files: string[], reportFile?: string) => ingestFiles(graph, { kind, files, batchSize: 2, relationTypes: config.relationTypes, reportFile });

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  dir = tempDir();
  await ingest('products', [writeFixture(dir, 'products.jsonl', jsonl(['p1', 'p2', 'p3'].map((id) => ({ id, title: `Product ${id}` }))))]);
});

afterAll(async () => {
  await graph.close();
});

describe('ingesting impressions, hides and attributed events', () => {
  it('stores servedId and position on the events, aggregates hides and not impressions, and names bad fields by line', async () => {
    const file = writeFixture(dir, 'events.csv', [
      'id,userId,productId,type,timestamp,quantity,servedId,position',
      'i1,u1,p1,impression,2026-03-01T10:00:00Z,,list-a,1',
      'i2,u1,p2,impression,2026-03-01T10:00:00Z,,list-a,2',
      'c1,u1,p2,click,2026-03-01T10:00:05Z,,list-a,2',
      'b1,u1,p2,purchase,2026-03-01T10:09:00Z,2,list-a,2',
      'h1,u1,p3,hide,2026-03-01T10:10:00Z,,,',
      'x1,u1,p1,click,2026-03-01T10:11:00Z,,list a,1',
      'x2,u1,p1,click,2026-03-01T10:11:00Z,,list-a,0',
      'x3,u1,p1,click,2026-03-01T10:11:00Z,,list-a,1001',
    ]);
    const report = path.join(dir, 'report.txt');
    const summary = await ingest('events', [file], report);
    expect(summary).toMatchObject({ records: 8, written: 5, rejected: 3 });
    expect(readFileSync(report, 'utf8').trim().split('\n')).toEqual([
      `${file}:7: servedId: expected a served list id (at most 64 letters, digits or _.:-), got "list a"`,
      `${file}:8: position: expected a whole number from 1 to 1,000, got "0"`,
      `${file}:9: position: expected a whole number from 1 to 1,000, got "1001"`,
    ]);
    const attributed = await readAttributedEvents(graph, 'list-a', 10);
    expect(attributed.map((event) => [event.id, event.type, event.productId, event.position])).toEqual([
      ['i1', 'impression', 'p1', 1],
      ['i2', 'impression', 'p2', 2],
      ['c1', 'click', 'p2', 2],
      ['b1', 'purchase', 'p2', 2],
    ]);
    const [hide] = await graph.read('MATCH (e:Event {id: "h1"}) RETURN e.servedId AS servedId, e.position AS position');
    expect(hide).toEqual({ servedId: null, position: null });
    const aggregates = await graph.read('MATCH (:User {id: "u1"})-[r]->(p:Product) RETURN type(r) AS type, p.id AS productId, r.count AS count ORDER BY type, productId');
    expect(aggregates).toEqual([
      { type: 'CLICKED', productId: 'p2', count: 1 },
      { type: 'HIDDEN', productId: 'p3', count: 1 },
      { type: 'PURCHASED', productId: 'p2', count: 1 },
    ]);
  });

  it('keeps two impressions of one product at one time in two lists apart when they come without ids', async () => {
    const file = writeFixture(dir, 'impressions.jsonl', jsonl(['list-b', 'list-c'].map((servedId) => ({ userId: 'u2', productId: 'p1', type: 'impression', timestamp: 1772359200000, servedId, position: 1 }))));
    expect(await ingest('events', [file])).toMatchObject({ records: 2, written: 2, duplicates: 0 });
    expect(await ingest('events', [file])).toMatchObject({ records: 2, written: 0 });
  });
});
