import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { catalogueVersion } from '../../src/graph/catalogueChanges.js';
import { graphStats } from '../../src/graph/stats.js';
import { loadKgat } from '../../src/ingest/kgat.js';
import { freshGraph, tempDir, writeFixture } from '../helpers.js';

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

/** A tiny data set in KGAT's format: 3 users, 4 items, 2 knowledge-graph entities beyond the items. */
function kgatFixture(withKg: boolean): string {
  const dir = tempDir('kgrec-kgat-');
  writeFixture(dir, 'train.txt', ['0 0 1 2', '1 1 3', '2 0']);
  writeFixture(dir, 'test.txt', ['0 3', '1 0 2', '2 x']);
  writeFixture(dir, 'item_list.txt', ['org_id remap_id freebase_id', 'B001 0 m.a', 'B002 1 m.b', 'B003 2 m.c', 'B004 3 m.d']);
  writeFixture(dir, 'relation_list.txt', ['org_id remap_id', 'http://rdf.freebase.com/ns/book.author 0', 'http://rdf.freebase.com/ns/book.genre 1']);
  if (withKg) writeFixture(dir, 'kg_final.txt', ['0 0 4', '1 0 4', '2 1 5', '3 1 5', '0 1 2', '0 0 4', 'bad line']);
  return dir;
}

describe('the KGAT loader', () => {
  it('loads users, items, train and test interactions and the knowledge graph', async () => {
    const rejected: string[] = [];
    const versionBefore = await catalogueVersion(graph);
    const summary = await loadKgat(graph, {
      dir: kgatFixture(true),
      prefix: 't:',
      batchSize: 2,
      onReject: (r) => rejected.push(`${r.file.split('/').pop()}:${r.line}: ${r.field}`),
    });
    expect(summary).toMatchObject({ users: 3, items: 4, trainInteractions: 6, testInteractions: 3, kgTriples: 5, kgPresent: true, eventsWritten: 9, rejected: 2 });
    expect(rejected).toEqual(['test.txt:3: item', 'kg_final.txt:7: (line)']);
    const stats = await graphStats(graph);
    expect(stats.nodes).toMatchObject({ User: 3, Product: 4, Entity: 2, Event: 9 });
    // Test interactions are kept as events but stay out of the aggregates that training reads.
    expect(stats.relationships).toMatchObject({ PURCHASED: 6, KG_RELATION: 5 });
    const testEvents = await graph.read('MATCH (e:Event {split: "test"}) RETURN e.userId AS user, e.productId AS item ORDER BY user, item');
    expect(testEvents).toEqual([
      { user: 't:u0', item: 't:i3' },
      { user: 't:u1', item: 't:i0' },
      { user: 't:u1', item: 't:i2' },
    ]);
    const [item] = await graph.read('MATCH (p:Product {id: "t:i1"}) RETURN p.title AS title, p.externalId AS externalId');
    expect(item).toEqual({ title: 'item B002', externalId: 'B002' });
    const kg = await graph.read('MATCH (h)-[k:KG_RELATION]->(t) RETURN h.id AS h, k.relation AS r, t.id AS t ORDER BY h, t');
    expect(kg).toContainEqual({ h: 't:i0', r: 'http://rdf.freebase.com/ns/book.genre', t: 't:i2' });
    expect(kg).toContainEqual({ h: 't:i2', r: 'http://rdf.freebase.com/ns/book.genre', t: 't:e5' });
    // New items are a catalogue change, which running APIs poll for (two batches of two items: two changes).
    expect(await catalogueVersion(graph)).toBe(versionBefore + 2);
  });

  it('keeps relation names as given: dotted names and bare integers, with an entity_org_id header', async () => {
    const dir = tempDir('kgrec-kgat-');
    writeFixture(dir, 'train.txt', ['0 0 1', '1 1']);
    writeFixture(dir, 'test.txt', ['0 1']);
    writeFixture(dir, 'item_list.txt', ['org_id remap_id entity_org_id', '7001 0 10', '7002 1 11']);
    // No header line here: the first line is already data.
    writeFixture(dir, 'relation_list.txt', ['music.artist.origin 0', '17 1']);
    writeFixture(dir, 'kg_final.txt', ['0 0 2', '1 1 2']);
    const summary = await loadKgat(graph, { dir, prefix: 'd:', batchSize: 10 });
    expect(summary).toMatchObject({ items: 2, kgTriples: 2, rejected: 0 });
    const kg = await graph.read('MATCH (h)-[k:KG_RELATION]->(t) WHERE h.id STARTS WITH "d:" RETURN h.id AS h, k.relation AS r, t.id AS t ORDER BY h');
    expect(kg).toEqual([
      { h: 'd:i0', r: 'music.artist.origin', t: 'd:e2' },
      { h: 'd:i1', r: '17', t: 'd:e2' },
    ]);
    const [item] = await graph.read('MATCH (p:Product {id: "d:i1"}) RETURN p.externalId AS externalId');
    expect(item).toEqual({ externalId: '7002' });
  });

  it('names the line of a malformed list and writes nothing', async () => {
    const dir = tempDir('kgrec-kgat-');
    writeFixture(dir, 'train.txt', ['0 0']);
    writeFixture(dir, 'test.txt', ['0 0']);
    writeFixture(dir, 'item_list.txt', ['org_id remap_id freebase_id', 'B001 zero m.a']);
    const before = await graphStats(graph);
    await expect(loadKgat(graph, { dir, prefix: 'z:', batchSize: 10 })).rejects.toThrow(/item_list\.txt:2: remap_id: expected a non-negative integer, got "zero"/);
    expect(await graphStats(graph)).toEqual(before);
  });

  it('refuses list names with control characters or past the length bound, naming the line, and writes nothing', async () => {
    const dir = tempDir('kgrec-kgat-');
    writeFixture(dir, 'train.txt', ['0 0']);
    writeFixture(dir, 'test.txt', ['0 0']);
    const before = await graphStats(graph);
    writeFixture(dir, 'item_list.txt', ['org_id remap_id', 'B001 0', 'B\u001b[31mred 1']);
    await expect(loadKgat(graph, { dir, prefix: 'z:', batchSize: 10 })).rejects.toThrow(/item_list\.txt:3: name: control character U\+001B not allowed/);
    writeFixture(dir, 'item_list.txt', ['org_id remap_id', `${'x'.repeat(1_001)} 0`]);
    await expect(loadKgat(graph, { dir, prefix: 'z:', batchSize: 10 })).rejects.toThrow(/item_list\.txt:2: name: longer than 1000 characters/);
    // A remap field that reorders the terminal's text (U+202E) is quoted escaped.
    writeFixture(dir, 'item_list.txt', ['org_id remap_id', 'B001 0', 'B002 1\u202e2']);
    await expect(loadKgat(graph, { dir, prefix: 'z:', batchSize: 10 })).rejects.toThrow(/item_list\.txt:3: remap_id: expected a non-negative integer, got "1\\u202e2"$/);
    expect(await graphStats(graph)).toEqual(before);
  });

  it('changes nothing when loaded again, and works without a knowledge-graph file', async () => {
    const before = await graphStats(graph);
    const versionBefore = await catalogueVersion(graph);
    const again = await loadKgat(graph, { dir: kgatFixture(false), prefix: 't:', batchSize: 100 });
    expect(again).toMatchObject({ kgPresent: false, kgTriples: 0, eventsWritten: 0 });
    expect(await graphStats(graph)).toEqual(before);
    expect(await catalogueVersion(graph)).toBe(versionBefore);
  });
});
