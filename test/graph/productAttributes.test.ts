import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { behaviourPatterns, CATALOGUE_PATTERNS, exportTriples } from '../../src/graph/tripleExport.js';
import { IngestError, ingestFiles, type IngestOptions } from '../../src/ingest/ingest.js';
import type { Kind } from '../../src/ingest/records.js';
import { FusedRanker } from '../../src/ranking/fusedRanker.js';
import { freshGraph, jsonl, tempDir, writeFixture } from '../helpers.js';

/**
 * Product attributes in the real Neo4j: validated at ingestion with the line and field named, linked as
 * (:Attribute) nodes, replaced whole, exported for TransE, and read by the kg signal and its explanations.
 */

let graph: Graph;
let config: Config;
let dir: string;

const ingest = (kind: Kind, files: string[], extra: Partial<IngestOptions> = {}) =>
  ingestFiles(graph, { kind, files, batchSize: 3, relationTypes: config.relationTypes, ...extra });

const attributesOf = async (id: string): Promise<string[]> =>
  (await graph.read<{ pair: string }>('MATCH (:Product {id: $id})-[r:HAS_ATTRIBUTE]->(a:Attribute) RETURN r.key + "=" + a.value AS pair ORDER BY pair', { id })).map((row) => row.pair);

/** Every attribute node and link, in a stable order: "the graph as it was". */
async function attributeSnapshot(): Promise<string> {
  const rows = await graph.read('MATCH (p:Product) OPTIONAL MATCH (p)-[r:HAS_ATTRIBUTE]->(a:Attribute) RETURN p.id AS p, p.updatedAt AS at, r.key AS k, a.id AS a ORDER BY p, a');
  return JSON.stringify(rows);
}

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  dir = tempDir('kgrec-attributes-');
  const products = writeFixture(
    dir,
    'products.jsonl',
    jsonl([
      { id: 'red-shirt', title: 'Red shirt', attributes: [{ key: 'colour', value: 'red' }, { key: 'material', value: 'cotton' }] },
      { id: 'red-scarf', title: 'Red scarf', attributes: { colour: 'red', material: ['wool', 'silk'] } },
      { id: 'blue-hat', title: 'Blue hat', attributes: [{ key: 'colour', value: 'blue' }] },
      { id: 'blue-bag', title: 'Blue bag', attributes: [{ key: 'colour', value: 'blue' }] },
      { id: 'popular', title: 'Popular mug' },
    ]),
  );
  await ingest('products', [products]);
  const events = writeFixture(dir, 'events.csv', [
    'userId,productId,type,timestamp',
    'shopper,red-shirt,purchase,2026-01-02T10:00:00Z',
    ...['a', 'b', 'c'].map((user) => `${user},popular,purchase,2026-01-03T10:00:00Z`),
  ]);
  await ingest('events', [events]);
}, 120_000);
afterAll(async () => {
  await graph.close();
});

describe('attribute ingestion', () => {
  it('links each pair as one shared attribute node, several values per key allowed', async () => {
    expect(await attributesOf('red-shirt')).toEqual(['colour=red', 'material=cotton']);
    expect(await attributesOf('red-scarf')).toEqual(['colour=red', 'material=silk', 'material=wool']);
    const [red] = await graph.read<{ n: number; key: string; value: string }>('MATCH (a:Attribute {id: "colour=red"})<-[:HAS_ATTRIBUTE]-(p) RETURN count(p) AS n, a.key AS key, a.value AS value');
    expect(red).toMatchObject({ key: 'colour', value: 'red' });
    expect(Number(red?.n)).toBe(2);
  });

  it('rejects bad keys and values naming the line and field, and writes the good records', async () => {
    const file = writeFixture(dir, 'bad.jsonl', [
      JSON.stringify({ id: 'ok', title: 'Fine', attributes: [{ key: 'style', value: 'classic' }] }),
      JSON.stringify({ id: 'bad-key', title: 'Bad key', attributes: [{ key: 'style', value: 'bold' }, { key: 'Colour', value: 'red' }] }),
      JSON.stringify({ id: 'bad-value', title: 'Bad value', attributes: { colour: 'red\u001b[2J' } }),
      JSON.stringify({ id: 'long-value', title: 'Long value', attributes: [{ key: 'author', value: 'x'.repeat(201) }] }),
      JSON.stringify({ id: 'too-many', title: 'Too many', attributes: Array.from({ length: 51 }, (_, i) => ({ key: 'tag', value: `t${i}` })) }),
      JSON.stringify({ id: 'no-value', title: 'No value', attributes: 'colour=red; size' }),
    ]);
    const report = path.join(dir, 'report.txt');
    const summary = await ingest('products', [file], { reportFile: report });
    expect(summary).toMatchObject({ records: 6, written: 1, rejected: 5 });
    expect(readFileSync(report, 'utf8').trim().split('\n')).toEqual([
      `${file}:2: attributes[1].key: expected a lower-case key of 1 to 40 letters, digits or underscores, starting with a letter, got "Colour"`,
      `${file}:3: attributes.colour.value: colour: expected text without control characters, got "\\u001b" at character 4`,
      `${file}:4: attributes[0].value: author: longer than 200 characters`,
      `${file}:5: attributes: at most 50 attributes per product, got 51`,
      `${file}:6: attributes[1].value: size: required`,
    ]);
    expect(await attributesOf('ok')).toEqual(['style=classic']);
    expect(await graph.read('MATCH (p:Product) WHERE p.id IN ["bad-key", "bad-value", "long-value", "too-many", "no-value"] RETURN p.id')).toEqual([]);
  });

  it('replaces a product’s attributes when given, keeps them when absent, and changes nothing on a re-run', async () => {
    const replace = writeFixture(dir, 'replace.csv', ['id,title,attributes', 'red-scarf,Red scarf,colour=green; material=wool', 'blue-bag,Blue bag,']);
    const first = await ingest('products', [replace]);
    expect(first).toMatchObject({ written: 1, unchanged: 1 });
    expect(await attributesOf('red-scarf')).toEqual(['colour=green', 'material=wool']);
    expect(await attributesOf('blue-bag')).toEqual(['colour=blue']);
    const before = await attributeSnapshot();
    const again = await ingest('products', [replace]);
    expect(again).toMatchObject({ written: 0, unchanged: 2 });
    expect(await attributeSnapshot()).toBe(before);
    const cleared = writeFixture(dir, 'clear.jsonl', jsonl([{ id: 'ok', title: 'Fine', attributes: [] }]));
    expect(await ingest('products', [cleared])).toMatchObject({ written: 1 });
    expect(await attributesOf('ok')).toEqual([]);
    // Restore the scarf for the ranking tests below.
    await ingest('products', [writeFixture(dir, 'restore.jsonl', jsonl([{ id: 'red-scarf', title: 'Red scarf', attributes: { colour: 'red', material: ['wool', 'silk'] } }]))]);
  });

  it('leaves the graph as it was when a batch fails', async () => {
    // A real constraint violation on the third record's new attribute makes Neo4j refuse the whole batch.
    await graph.autoCommit('CREATE CONSTRAINT test_unique_attribute_value IF NOT EXISTS FOR (a:Attribute) REQUIRE a.value IS UNIQUE');
    try {
      const before = await attributeSnapshot();
      const file = writeFixture(dir, 'failing.jsonl', jsonl([
        { id: 'blue-hat', title: 'Blue hat', attributes: { colour: 'navy' } },
        { id: 'fresh', title: 'Fresh', attributes: { style: 'bold' } },
        { id: 'blue-bag', title: 'Blue bag', attributes: { shade: 'blue' } },
      ]));
      const failure = await ingest('products', [file]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(IngestError);
      expect(await attributeSnapshot()).toBe(before);
    } finally {
      await graph.autoCommit('DROP CONSTRAINT test_unique_attribute_value IF EXISTS');
    }
  });
});

describe('attributes in training, ranking and explanations', () => {
  it('reach the training export as one relation per key', async () => {
    const exported = await exportTriples(graph, [...behaviourPatterns(), ...CATALOGUE_PATTERNS]);
    const colour = exported.relations.indexOf('KG:colour');
    const pairs = [...exported.relationIds.keys()].filter((t) => exported.relationIds[t] === colour).map((t) => `${exported.entities[exported.heads[t]!]} ${exported.entities[exported.tails[t]!]}`);
    expect(pairs.sort()).toEqual([
      'Product:blue-bag Attribute:colour=blue',
      'Product:blue-hat Attribute:colour=blue',
      'Product:red-scarf Attribute:colour=red',
      'Product:red-shirt Attribute:colour=red',
    ]);
    expect(exported.counts['KG:material']).toBe(3);
    const without = await exportTriples(graph, behaviourPatterns(), undefined, { knowledgeGraph: false });
    expect(without.relations.some((relation) => relation.startsWith('KG:'))).toBe(false);
  });

  it('ranks the product sharing an attribute above those sharing none, and names the path in words', async () => {
    const ranker = new FusedRanker({ graph, modelsDir: tempDir('kgrec-attr-models-'), relationTypes: config.relationTypes, watchModels: false, diversity: 0, weights: { kg: 1 } });
    try {
      const list = await ranker.recommend('shopper', { first: 5, explain: true });
      const ids = list.items.map((item) => item.productId);
      expect(ids[0]).toBe('red-scarf');
      for (const other of ['blue-hat', 'blue-bag', 'popular']) if (ids.includes(other)) expect(ids.indexOf(other)).toBeGreaterThan(0);
      const reason = list.items[0]?.reasons.find((r) => r.kind === 'SHARED_ENTITY');
      expect(reason?.text).toBe('same colour (red) as Red shirt, which you bought');
      expect(reason?.path).toEqual(['User:shopper', 'Product:red-shirt', 'Attribute:colour=red', 'Product:red-scarf']);
      const [row] = await graph.read<{ n: number }>(
        `MATCH (:User {id: 'shopper'})-[:PURCHASED]->(:Product {id: 'red-shirt'})-[:HAS_ATTRIBUTE {key: 'colour'}]->(:Attribute {id: 'colour=red'})<-[:HAS_ATTRIBUTE {key: 'colour'}]-(:Product {id: 'red-scarf'})
         RETURN count(*) AS n`,
      );
      expect(Number(row?.n)).toBe(1);
      // A caller who may not see the shopper's history gets no reason that names what they bought.
      const anonymous = await ranker.recommend('shopper', { first: 5, explain: true, revealHistory: false });
      const texts = anonymous.items.flatMap((item) => item.reasons.map((r) => r.text));
      expect(texts.some((text) => text.includes('Red shirt'))).toBe(false);
    } finally {
      ranker.close();
    }
  });
});
