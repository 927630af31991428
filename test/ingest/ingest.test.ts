import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { catalogueVersion } from '../../src/graph/catalogueChanges.js';
import { graphStats } from '../../src/graph/stats.js';
import { formatConflict, IngestError, ingestFiles, type IngestOptions } from '../../src/ingest/ingest.js';
import type { Kind } from '../../src/ingest/records.js';
import { lockCategoryTree } from '../../src/graph/catalogueEdits.js';
import { writeCategories } from '../../src/graph/shopWrites.js';
import { handlerFor, type KindHandler } from '../../src/ingest/kinds.js';
import { freshGraph, jsonl, tempDir, writeFixture } from '../helpers.js';

let graph: Graph;
let config: Config;
let dir: string;

const ingest = (kind: Kind, files: string[], extra: Partial<IngestOptions> = {}) =>
  ingestFiles(graph, { kind, files, batchSize: 3, relationTypes: config.relationTypes, ...extra });

/** Every node and relationship with its properties, in a stable order: "the graph as it was". */
/** The shop's data: not the migrations' record, nor the category tree's lock (which notes when it was last taken). */
async function snapshot(): Promise<string> {
  const nodes = await graph.read('MATCH (n) WHERE NOT n:KgrecMigration AND NOT n:KgrecLock RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id');
  const rels = await graph.read(
    'MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b',
  );
  return JSON.stringify({ nodes, rels });
}

function shopFiles() {
  return {
    categories: writeFixture(dir, 'categories.csv', [
      'id,name,parentId',
      'shoes-running,Running shoes,shoes', // child before its parent: ingestion orders them
      'shoes,Shoes,',
      'socks,"Socks,  sports",',
    ]),
    brands: writeFixture(dir, 'brands.jsonl', jsonl([{ id: 'b1', name: 'Fleet' }, { id: 'b2', name: 'Stride' }])),
    products: writeFixture(
      dir,
      'products.jsonl',
      jsonl([
        { id: 'p1', title: 'Fleet trail runner', description: 'Light  trail shoe', categoryId: 'shoes-running', brandId: 'b1', price: 120, currency: 'eur', inStock: true },
        { id: 'p2', title: 'Stride road runner', categoryId: 'shoes-running', brandId: 'b2', price: 95.5 },
        { id: 'p3', title: 'Fleet running socks', categoryId: 'socks', brandId: 'b1', price: 9.99, inStock: false },
        { id: 'p4', title: 'Gift card' },
      ]),
    ),
    users: writeFixture(dir, 'users.csv', ['id', 'u1', 'u2']),
    events: writeFixture(dir, 'events.csv', [
      'id,userId,productId,type,timestamp,quantity',
      'e1,u1,p1,view,2026-01-01T10:00:00Z,',
      'e2,u1,p1,view,2026-01-02T10:00:00Z,',
      'e3,u1,p1,purchase,2026-01-02T10:05:00Z,2',
      'e4,u1,p3,purchase,1767355500000,',
      'e5,u3,p2,click,2026-01-03T08:00:00Z,', // u3 is not in users.csv: created with the event
      ',u2,p2,add_to_cart,2026-01-04T08:00:00Z,', // no id: a stable hash is used
    ]),
    relations: writeFixture(dir, 'relations.csv', ['from,to,type,weight', 'p1,p3,COMPLEMENTS,0.8', 'p1,p2,substitutes,']),
  };
}

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  dir = tempDir();
});

afterAll(async () => {
  await graph.close();
});

describe('ingesting a shop', () => {
  it('loads valid files of every kind into the model', async () => {
    const files = shopFiles();
    const summaries = [];
    for (const kind of ['categories', 'brands', 'products', 'users', 'events', 'relations'] as const) {
      summaries.push(await ingest(kind, [files[kind]]));
    }
    expect(summaries.map((s) => [s.kind, s.records, s.written, s.rejected])).toEqual([
      ['categories', 3, 3, 0],
      ['brands', 2, 2, 0],
      ['products', 4, 4, 0],
      ['users', 2, 2, 0],
      ['events', 6, 6, 0],
      ['relations', 2, 2, 0],
    ]);

    const stats = await graphStats(graph);
    expect(stats).toEqual({
      nodes: { Brand: 2, Category: 3, Event: 6, Product: 4, User: 3 },
      relationships: {
        ADDED_TO_CART: 1,
        CLICKED: 1,
        COMPLEMENTS: 1,
        HAS_BRAND: 3,
        IN_CATEGORY: 3,
        PURCHASED: 2,
        SUBCATEGORY_OF: 1,
        SUBSTITUTES: 1,
        VIEWED: 1,
      },
      events: 6,
    });

    const [p1] = await graph.read<{ p: Record<string, unknown>; category: string; brand: string }>(
      'MATCH (p:Product {id: "p1"})-[:IN_CATEGORY]->(c)-[:SUBCATEGORY_OF]->(parent), (p)-[:HAS_BRAND]->(b) RETURN properties(p) AS p, parent.name AS category, b.name AS brand',
    );
    expect(p1).toMatchObject({
      p: { title: 'Fleet trail runner', description: 'Light trail shoe', price: 120, currency: 'EUR', inStock: true },
      category: 'Shoes',
      brand: 'Fleet',
    });
    const [socks] = await graph.read<{ name: string }>('MATCH (c:Category {id: "socks"}) RETURN c.name AS name');
    expect(socks?.name).toBe('Socks, sports');

    const [viewed] = await graph.read('MATCH (:User {id: "u1"})-[r:VIEWED]->(:Product {id: "p1"}) RETURN r.count AS count, r.firstAt AS firstAt, r.lastAt AS lastAt');
    expect(viewed).toEqual({ count: 2, firstAt: Date.UTC(2026, 0, 1, 10), lastAt: Date.UTC(2026, 0, 2, 10) });
    const [purchased] = await graph.read('MATCH (:User {id: "u1"})-[r:PURCHASED]->(:Product {id: "p1"}) RETURN r.count AS count, r.quantity AS quantity');
    expect(purchased).toEqual({ count: 1, quantity: 2 });
    const [relation] = await graph.read('MATCH (:Product {id: "p1"})-[r:COMPLEMENTS]->(:Product {id: "p3"}) RETURN r.weight AS weight, r.updatedBy AS by, r.updatedAt AS at');
    expect(relation).toMatchObject({ weight: 0.8, by: 'ingest', at: expect.any(Number) });
  });

  it('changes nothing when the same files are ingested again', async () => {
    const before = await snapshot();
    const files = shopFiles();
    for (const kind of ['categories', 'brands', 'products', 'users', 'events', 'relations'] as const) {
      const summary = await ingest(kind, [files[kind]]);
      expect(summary.written, kind).toBe(0);
      expect(summary.rejected, kind).toBe(0);
    }
    expect(await snapshot()).toBe(before);
  });

  it('updates what changed, and only that', async () => {
    const changed = writeFixture(dir, 'products-update.csv', ['id,title,price', 'p2,Stride road runner,89', 'p4,Gift card,']);
    const summary = await ingest('products', [changed]);
    expect(summary).toMatchObject({ written: 1, unchanged: 1 });
    const rows = await graph.read('MATCH (p:Product) WHERE p.id IN ["p2", "p4"] RETURN p.id AS id, p.price AS price ORDER BY id');
    expect(rows[0]).toMatchObject({ id: 'p2', price: 89 });
    const [category] = await graph.read('MATCH (:Product {id: "p2"})-[:IN_CATEGORY]->(c) RETURN c.id AS id');
    expect(category?.id).toBe('shoes-running'); // absent fields are left as they are
  });

  it('counts a product moved to another category or brand as changed, and records a catalogue change', async () => {
    const [before] = await graph.read<{ updatedAt: number }>('MATCH (p:Product {id: "p3"}) RETURN p.updatedAt AS updatedAt');
    const version = await catalogueVersion(graph);
    const moved = writeFixture(dir, 'products-moved.csv', ['id,title,categoryId,brandId', 'p3,Fleet running socks,shoes,b2']);
    const summary = await ingestFiles(graph, { kind: 'products', files: [moved], batchSize: 10, relationTypes: config.relationTypes, now: Date.now() + 60_000 });
    expect(summary).toMatchObject({ written: 1, unchanged: 0 });
    const rows = await graph.read<{ category: string; brand: string; updatedAt: number }>(
      'MATCH (b:Brand)<-[:HAS_BRAND]-(p:Product {id: "p3"})-[:IN_CATEGORY]->(c) RETURN c.id AS category, b.id AS brand, p.updatedAt AS updatedAt',
    );
    expect(rows).toHaveLength(1); // the old links are gone
    expect(rows[0]).toMatchObject({ category: 'shoes', brand: 'b2' });
    expect(rows[0]?.updatedAt).toBeGreaterThan(before?.updatedAt ?? Infinity);
    expect(await catalogueVersion(graph)).toBe(version + 1);
    // Moving it back to where it was is a change again; ingesting that twice is one.
    const back = writeFixture(dir, 'products-back.csv', ['id,title,categoryId,brandId', 'p3,Fleet running socks,socks,b1']);
    expect((await ingest('products', [back])).written).toBe(1);
    expect((await ingest('products', [back])).written).toBe(0);
    expect(await catalogueVersion(graph)).toBe(version + 2);
  });

  it('skips duplicates within and across files, and rejects an id reused with other values', async () => {
    const a = writeFixture(dir, 'brands-a.csv', ['id,name', 'b3,Peak', 'b3,Peak', 'b4,Summit']);
    const b = writeFixture(dir, 'brands-b.csv', ['id,name', 'b3, Peak ', 'b4,Valley']);
    const summary = await ingest('brands', [a, b]);
    expect(summary).toMatchObject({ records: 5, written: 2, duplicates: 2, rejected: 1 });
    const [b4] = await graph.read('MATCH (b:Brand {id: "b4"}) RETURN b.name AS name');
    expect(b4?.name).toBe('Summit');
  });

  it('keeps aggregates exact when concurrent lanes write events of shared users and products', async () => {
    // 240 events over 6 users and the 4 products, in batches of 7: every lane of the write grid gets work.
    const types = ['view', 'click', 'purchase'] as const;
    const relationshipOf = { view: 'VIEWED', click: 'CLICKED', purchase: 'PURCHASED' } as const;
    const lines = ['id,userId,productId,type,timestamp,quantity'];
    const expected = new Map<string, { count: number; quantity: number; firstAt: number; lastAt: number }>();
    for (let i = 0; i < 240; i += 1) {
      const [user, product, type, at, quantity] = [`lane-u${i % 6}`, `p${1 + ((i * 7) % 4)}`, types[i % 3] as (typeof types)[number], 1_767_000_000_000 + ((i * 7919) % 1000) * 1000, 1 + (i % 2)];
      lines.push(`lane-e${i},${user},${product},${type},${at},${type === 'purchase' ? quantity : ''}`);
      const key = `${user} ${relationshipOf[type]} ${product}`;
      const sum = expected.get(key) ?? { count: 0, quantity: 0, firstAt: at, lastAt: at };
      expected.set(key, { count: sum.count + 1, quantity: sum.quantity + (type === 'purchase' ? quantity : 1), firstAt: Math.min(sum.firstAt, at), lastAt: Math.max(sum.lastAt, at) });
    }
    const events = writeFixture(dir, 'lane-events.csv', lines);
    const aggregates = async () =>
      new Map(
        (
          await graph.read<{ key: string; count: number; quantity: number; firstAt: number; lastAt: number }>(
            'MATCH (u:User)-[r]->(p:Product) WHERE u.id STARTS WITH "lane-" RETURN u.id + " " + type(r) + " " + p.id AS key, r.count AS count, r.quantity AS quantity, r.firstAt AS firstAt, r.lastAt AS lastAt',
          )
        ).map(({ key, ...sum }) => [key, sum]),
      );
    expect(await ingest('events', [events], { batchSize: 7, writeLanes: 2 })).toMatchObject({ written: 240, rejected: 0 });
    expect(await aggregates()).toEqual(expected);
    expect(await ingest('events', [events], { batchSize: 7, writeLanes: 2 })).toMatchObject({ written: 0, unchanged: 240 });
    expect(await aggregates()).toEqual(expected);
  });
});

describe('events whose id is already stored', () => {
  it('reports each conflict with file and line, writes the others and leaves the stored events as they were', async () => {
    const eventsOf = (ids: string[]) => graph.read('MATCH (e:Event) WHERE e.id IN $ids RETURN properties(e) AS e ORDER BY e.id', { ids });
    const purchases = () => graph.read('MATCH (u:User {id: "u1"})-[r:PURCHASED]->(p) RETURN p.id AS product, r.count AS count, r.quantity AS quantity ORDER BY product');
    const [storedBefore, purchasesBefore] = [await eventsOf(['e1', 'e3', 'e4']), await purchases()];
    const file = writeFixture(dir, 'events-conflicting.csv', [
      'id,userId,productId,type,timestamp,quantity',
      'e3,u1,p1,purchase,2026-01-02T10:05:00Z,3', // stored with quantity 2
      'e1,u1,p1,view,2026-01-01T10:00:00Z,', // the same as stored: unchanged
      'c-new,u1,p4,purchase,2026-01-05T10:00:00Z,1',
      'e4,u2,p3,purchase,2026-01-02T12:00:00Z,', // stored for u1 at 12:05
    ]);
    const report = path.join(dir, 'conflicts-report.txt');
    const conflicts: string[] = [];
    const summary = await ingest('events', [file], { reportFile: report, onConflict: (conflict) => conflicts.push(formatConflict(conflict)) });
    expect(summary).toMatchObject({ records: 4, written: 1, unchanged: 1, conflicts: 2, rejected: 0 });
    const expected = [
      `${file}:2: id "e3" already stored with other values (quantity 2, now 3)`,
      `${file}:5: id "e4" already stored with other values (userId "u1", now "u2"; timestamp 2026-01-02T12:05:00.000Z, now 2026-01-02T12:00:00.000Z)`,
    ];
    // Batches of the write grid finish in any order: so do their conflicts.
    expect(conflicts.sort()).toEqual(expected);
    expect(readFileSync(report, 'utf8').trim().split('\n').sort()).toEqual(expected);
    expect(await eventsOf(['e1', 'e3', 'e4'])).toEqual(storedBefore);
    expect(await purchases()).toEqual([...purchasesBefore, { product: 'p4', count: 1, quantity: 1 }]);
    expect(await graph.read('MATCH (:User {id: "u2"})-[r:PURCHASED]->() RETURN r')).toEqual([]);

    // Idempotent: the same file again writes nothing and reports the same conflicts.
    expect(await ingest('events', [file])).toMatchObject({ written: 0, unchanged: 2, conflicts: 2 });
  });

  it('writes a file ingested by two runs at once once: the run that loses a race on an id retries and finds it stored', async () => {
    const lines = ['id,userId,productId,type,timestamp,quantity'];
    for (let i = 0; i < 60; i += 1) lines.push(`race-e${i},race-u${i % 5},p${1 + (i % 4)},purchase,${1_767_000_000_000 + i * 1000},${1 + (i % 3)}`);
    const file = writeFixture(dir, 'race-events.csv', lines);
    const runs = await Promise.all([ingest('events', [file], { batchSize: 60 }), ingest('events', [file], { batchSize: 60 })]);
    // Each cell of the write grid races on its own: either run may win it, and together they write each event once.
    const sum = (key: 'written' | 'unchanged' | 'conflicts') => runs.reduce((total, run) => total + run[key], 0);
    expect({ written: sum('written'), unchanged: sum('unchanged'), conflicts: sum('conflicts') }).toEqual({ written: 60, unchanged: 60, conflicts: 0 });
    const [totals] = await graph.read(
      `CALL () { MATCH (e:Event) WHERE e.id STARTS WITH "race-" RETURN count(e) AS events }
       CALL () { MATCH (u:User)-[r:PURCHASED]->() WHERE u.id STARTS WITH "race-" RETURN sum(r.count) AS count, sum(r.quantity) AS quantity }
       RETURN events, count, quantity`,
    );
    expect(totals).toEqual({ events: 60, count: 60, quantity: 120 });
  });
});

describe('bad input', () => {
  it('rejects bad records with file, line, field and reason, and writes the good ones', async () => {
    const before = await graphStats(graph);
    const file = writeFixture(dir, 'bad-events.jsonl', [
      JSON.stringify({ id: 'e10', userId: 'u1', productId: 'p2', type: 'view', timestamp: '2026-02-01T00:00:00Z' }),
      JSON.stringify({ id: 'e11', userId: 'u1', productId: 'p2', type: 'view', timestamp: 'yesterday' }),
      '{"id": "e12", "userId": ',
      JSON.stringify({ id: 'e13', userId: 'u1', productId: 'nope', type: 'view', timestamp: '2026-02-01T00:00:00Z' }),
      JSON.stringify({ id: 'e14', productId: 'p2', type: 'teleport', timestamp: '2026-02-01T00:00:00Z' }),
    ]);
    const report = path.join(dir, 'report.txt');
    const summary = await ingest('events', [file], { reportFile: report });
    expect(summary).toMatchObject({ records: 5, written: 1, rejected: 4 });
    expect(readFileSync(report, 'utf8').trim().split('\n')).toEqual([
      `${file}:2: timestamp: expected ISO-8601 or epoch milliseconds, got "yesterday"`,
      expect.stringMatching(new RegExp(`^${file}:3: \\(line\\): invalid JSON: `)),
      `${file}:5: userId: required`,
      `${file}:5: type: expected one of view, click, add_to_cart, purchase, impression, hide, got "teleport"`,
      `${file}:4: productId: unknown product "nope"`,
    ]);
    const after = await graphStats(graph);
    expect(after.events).toBe(before.events + 1);
    expect(await graph.read('MATCH (e:Event) WHERE e.id IN ["e11", "e12", "e13", "e14"] RETURN e.id')).toEqual([]);
  });

  it('reads a file on a validation thread exactly as inline: the same records, repeats and rejections', async () => {
    const file = writeFixture(dir, 'threaded-events.csv', [
      'id,userId,productId,type,timestamp',
      'th1,u1,p1,view,2026-02-01T00:00:00Z',
      'th2,u1,p2,click,yesterday',
      'th1,u1,p1,view,2026-02-01T00:00:00Z', // a repeat: skipped
      'th3,u2,p2,teleport,2026-02-01T00:00:00Z',
      'th1,u2,p1,view,2026-02-01T00:00:00Z', // the same id with other values: rejected
      'th4,u2,nope,view,2026-02-01T00:00:00Z',
      'th5,u2,p2,purchase,1767225600000',
    ]);
    const run = async (thread: boolean, dryRun: boolean) => {
      const report = path.join(dir, `threaded-${thread}-${dryRun}.txt`);
      const summary = await ingest('events', [file], { thread, dryRun, reportFile: report, batchSize: 2 });
      return { summary: { ...summary, seconds: 0, recordsPerSecond: 0, reportFile: null }, report: readFileSync(report, 'utf8') };
    };
    const inline = await run(false, true);
    expect(await run(true, true)).toEqual(inline);
    expect(inline.summary).toMatchObject({ records: 7, duplicates: 1, rejected: 3 });
    expect(inline.report.trim().split('\n')).toEqual([
      `${file}:3: timestamp: expected ISO-8601 or epoch milliseconds, got "yesterday"`,
      `${file}:5: type: expected one of view, click, add_to_cart, purchase, impression, hide, got "teleport"`,
      `${file}:6: id: same id as ${file}:2 but different values`,
    ]);
    const written = await run(true, false);
    expect(written.summary).toMatchObject({ records: 7, written: 2, duplicates: 1, rejected: 4 });
    expect(written.report).toContain(`${file}:7: productId: unknown product "nope"`);
    expect((await graph.read('MATCH (e:Event) WHERE e.id STARTS WITH "th" RETURN e.id AS id ORDER BY id')).map((row) => row.id)).toEqual(['th1', 'th5']);
  });

  it('reports CSV rows with the wrong number of cells, and products whose category is unknown', async () => {
    const file = writeFixture(dir, 'bad-products.csv', ['id,title,categoryId', 'p9,Thing', 'p10,Other thing,nowhere', 'p11,Fine thing,socks']);
    const report = path.join(dir, 'report-products.txt');
    const summary = await ingest('products', [file], { reportFile: report });
    expect(summary).toMatchObject({ written: 1, rejected: 2 });
    expect(readFileSync(report, 'utf8').trim().split('\n')).toEqual([
      `${file}:2: (line): expected 3 cells as in the header, got 2`,
      `${file}:3: categoryId: unknown category "nowhere" (ingest categories first)`,
    ]);
  });

  it('refuses category cycles and unknown parents', async () => {
    const file = writeFixture(dir, 'bad-categories.csv', ['id,name,parentId', 'x,X,y', 'y,Y,x', 'z,Z,missing', 'w,W,z', 'v,V,socks']);
    const summary = await ingest('categories', [file]);
    expect(summary).toMatchObject({ written: 1, rejected: 4 });
    expect(await graph.read('MATCH (c:Category) WHERE c.id IN ["x", "y", "z", "w"] RETURN c.id')).toEqual([]);
  });

  it('refuses a move below a category that lies below it in the graph, naming the line, and changes nothing', async () => {
    await ingest('categories', [writeFixture(dir, 'tree.csv', ['id,name,parentId', 'top,Top,', 'mid,Mid,top', 'leaf,Leaf,mid'])]);
    const tree = () => graph.read('MATCH (c:Category)-[:SUBCATEGORY_OF]->(p:Category) WHERE c.id IN ["top", "mid", "leaf"] RETURN c.id AS id, p.id AS parent ORDER BY id');
    const before = await tree();
    expect(before).toEqual([{ id: 'leaf', parent: 'mid' }, { id: 'mid', parent: 'top' }]);
    const file = writeFixture(dir, 'move.csv', ['id,name,parentId', 'top,Top,leaf']);
    const report = path.join(dir, 'report-move.txt');
    const summary = await ingest('categories', [file], { reportFile: report });
    expect(summary).toMatchObject({ written: 0, rejected: 1 });
    expect(readFileSync(report, 'utf8')).toContain(`${file}:2: parentId: parent chain of "top" forms a cycle`);
    expect(await tree()).toEqual(before);
  });

  it('refuses a move that a concurrent move made into a cycle after the file was checked, and leaves no cycle', async () => {
    await ingest('categories', [writeFixture(dir, 'race-tree.csv', ['id,name,parentId', 'race-a,A,', 'race-b,B,'])]);
    const handler = handlerFor('categories', { relationTypes: config.relationTypes, clock: { maxClockSkewSeconds: 60 } }) as KindHandler<{ id: string; name: string; parentId?: string }>;
    const ctx = { graph, now: Date.now(), by: 'test' };
    const records = [{ file: 'move.csv', line: 2, value: { id: 'race-a', name: 'A', parentId: 'race-b' } }];
    // The file's check passes against the tree as it was read...
    const checked = await handler.order?.(records, ctx);
    expect(checked?.rejected).toEqual([]);
    // ...then a merchandiser moves b under a, the way the API does, before the batch is written.
    await graph.transaction(async (tx) => {
      await lockCategoryTree(tx);
      await writeCategories(tx, [{ id: 'race-b', name: 'B', parentId: 'race-a' }], Date.now());
    });
    const written = await handler.writeBatch(checked?.ordered ?? [], ctx);
    expect(written.written).toBe(0);
    expect(written.rejected).toEqual([{ file: 'move.csv', line: 2, field: 'parentId', reason: expect.stringContaining('forms a cycle') as string }]);
    const cycles = await graph.read<{ n: number }>('MATCH (c:Category) WHERE EXISTS { (c)-[:SUBCATEGORY_OF*1..]->(c) } RETURN count(c) AS n');
    expect(cycles[0]?.n).toBe(0);
    expect(await graph.read('MATCH (c:Category {id: "race-a"})-[:SUBCATEGORY_OF]->(p) RETURN p.id AS parent')).toEqual([]);
  });

  it('leaves the graph as it was when a batch fails', async () => {
    // A real constraint violation in the third record makes Neo4j refuse the whole batch of three.
    await graph.autoCommit('CREATE CONSTRAINT test_unique_title IF NOT EXISTS FOR (p:Product) REQUIRE p.title IS UNIQUE');
    try {
      const before = await snapshot();
      const file = writeFixture(dir, 'failing-batch.jsonl', jsonl([
        { id: 'n1', title: 'New one' },
        { id: 'n2', title: 'New two' },
        { id: 'n3', title: 'Fleet trail runner' },
      ]));
      const failure = await ingest('products', [file]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(IngestError);
      expect((failure as Error).message).toMatch(new RegExp(`batch 1 \\(${file}:1-3, 3 records\\) failed and was rolled back`));
      expect(await snapshot()).toBe(before);
    } finally {
      await graph.autoCommit('DROP CONSTRAINT test_unique_title IF EXISTS');
    }
  });

  it('writes nothing in a dry run', async () => {
    const before = await snapshot();
    const file = writeFixture(dir, 'dry.csv', ['id,name', 'b9,Dry brand', 'b10,']);
    const summary = await ingestFiles(null, { kind: 'brands', files: [file], batchSize: 10, relationTypes: config.relationTypes, dryRun: true });
    expect(summary).toMatchObject({ records: 2, written: 0, rejected: 1, dryRun: true });
    expect(await snapshot()).toBe(before);
  });

  it('refuses relations of unknown types, to unknown products and to the product itself', async () => {
    const file = writeFixture(dir, 'bad-relations.csv', ['from,to,type,weight', 'p1,p1,COMPLEMENTS,1', 'p1,ghost,COMPLEMENTS,1', 'p1,p2,LIKES,1', 'p2,p3,ACCESSORY_OF,abc']);
    const report = path.join(dir, 'report-relations.txt');
    const summary = await ingest('relations', [file], { reportFile: report });
    expect(summary).toMatchObject({ written: 0, rejected: 4 });
    expect(readFileSync(report, 'utf8')).toContain(`${file}:4: type: expected one of COMPLEMENTS, SUBSTITUTES, ACCESSORY_OF, got "LIKES"`);
    expect(readFileSync(report, 'utf8')).toContain(`${file}:5: weight: expected a number from 0 to 1,000, got "abc"`);
    expect(readFileSync(report, 'utf8')).toContain(`${file}:2: to: a product cannot be related to itself`);
    expect(readFileSync(report, 'utf8')).toContain(`${file}:3: to: unknown product "ghost"`);
  });
});
