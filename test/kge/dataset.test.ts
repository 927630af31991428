import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { behaviourPatterns, CATALOGUE_PATTERNS, exportTriples, merchandiserPatterns } from '../../src/graph/tripleExport.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { parseBehaviourWeights } from '../../src/cli/commands/train.js';
import { loadTriplesDir, splitShopTriples, weightTriples } from '../../src/kge/dataset.js';
import { dataFingerprint } from '../../src/kge/modelStore.js';
import { resolveHyperparameters, PRESETS } from '../../src/kge/hyperparameters.js';
import { freshGraph, tempDir, writeFixture } from '../helpers.js';

let graph: Graph;
let config: Config;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  const dir = tempDir();
  const load = (kind: 'categories' | 'brands' | 'products' | 'events' | 'relations', lines: string[]) =>
    ingestFiles(graph, { kind, files: [writeFixture(dir, `${kind}.csv`, lines)], batchSize: 100, relationTypes: config.relationTypes });
  await load('categories', ['id,name,parentId', 'shoes,Shoes,', 'run,Running,shoes']);
  await load('brands', ['id,name', 'b1,Fleet']);
  await load('products', ['id,title,categoryId,brandId', 'p1,One,run,b1', 'p2,Two,run,b1', 'p3,Three,shoes,']);
  await load('events', [
    'userId,productId,type,timestamp',
    'u1,p1,view,2026-01-01T00:00:00Z',
    'u1,p1,view,2026-01-02T00:00:00Z',
    'u1,p1,purchase,2026-01-02T00:00:00Z',
    'u1,p2,view,2026-01-03T00:00:00Z',
    'u2,p2,purchase,2026-01-03T00:00:00Z',
    'u2,p3,view,2026-01-03T00:00:00Z',
  ]);
  await load('relations', ['from,to,type', 'p1,p2,COMPLEMENTS']);
});
afterAll(async () => {
  await graph.close();
});

describe('triples for training', () => {
  it('are exported from the graph with label-qualified entity ids', async () => {
    const patterns = [...behaviourPatterns(), ...CATALOGUE_PATTERNS, ...merchandiserPatterns(config.relationTypes)];
    const exported = await exportTriples(graph, patterns);
    const triples = Array.from(exported.heads, (h, i) => `${exported.entities[h]} ${exported.relations[exported.relationIds[i] as number]} ${exported.entities[exported.tails[i] as number]}`);
    expect(triples.sort()).toEqual(
      [
        'User:u1 VIEWED Product:p1',
        'User:u1 VIEWED Product:p2',
        'User:u2 VIEWED Product:p3',
        'User:u1 PURCHASED Product:p1',
        'User:u2 PURCHASED Product:p2',
        'Product:p1 IN_CATEGORY Category:run',
        'Product:p2 IN_CATEGORY Category:run',
        'Product:p3 IN_CATEGORY Category:shoes',
        'Category:run SUBCATEGORY_OF Category:shoes',
        'Product:p1 HAS_BRAND Brand:b1',
        'Product:p2 HAS_BRAND Brand:b1',
        'Product:p1 COMPLEMENTS Product:p2',
      ].sort(),
    );
    expect(exported.counts).toMatchObject({ VIEWED: 3, PURCHASED: 2, IN_CATEGORY: 3 });
    // A threshold on behaviour counts keeps only repeated views.
    const strong = await exportTriples(graph, behaviourPatterns({ VIEWED: 2 }).slice(0, 1));
    expect(strong.heads.length).toBe(1);
  });

  it('hold out whole (user, product) pairs, repeatably, and keep every held-out user in training', async () => {
    const exported = await exportTriples(graph, [...behaviourPatterns(), ...CATALOGUE_PATTERNS]);
    const split = splitShopTriples(exported, { relation: 'PURCHASED', validFraction: 0, testFraction: 1, seed: 1 });
    const name = (set: typeof split.train, i: number) =>
      `${split.entities[set.heads[i] as number]} ${split.relations[set.relations[i] as number]} ${split.entities[set.tails[i] as number]}`;
    const test = Array.from(split.test?.heads ?? [], (_, i) => name(split.test!, i));
    const train = Array.from(split.train.heads, (_, i) => name(split.train, i));
    expect(test.sort()).toEqual(['User:u1 PURCHASED Product:p1', 'User:u2 PURCHASED Product:p2']);
    // u1's views of p1 left training with the purchase; u1 keeps its view of p2, u2 its view of p3.
    expect(train).not.toContain('User:u1 VIEWED Product:p1');
    expect(train).toEqual(expect.arrayContaining(['User:u1 VIEWED Product:p2', 'User:u2 VIEWED Product:p3']));
    const again = splitShopTriples(exported, { relation: 'PURCHASED', validFraction: 0, testFraction: 1, seed: 1 });
    expect(dataFingerprint(again)).toBe(dataFingerprint(split));
  });

  it('are read from benchmark files, counting every entity of every split', async () => {
    const dir = tempDir();
    writeFixture(dir, 'train.txt', ['a\tr1\tb', 'b\tr2\tc']);
    writeFixture(dir, 'valid.txt', ['a\tr1\tc']);
    writeFixture(dir, 'test.txt', ['d\tr2\ta']);
    const dataset = await loadTriplesDir(dir);
    expect(dataset.entities).toEqual(['a', 'b', 'c', 'd']);
    expect(dataset.relations).toEqual(['r1', 'r2']);
    expect(Array.from(dataset.test?.heads ?? [])).toEqual([3]);
    writeFixture(dir, 'train.txt', ['a\tr1']);
    await expect(loadTriplesDir(dir)).rejects.toThrow(/train\.txt:1: expected "head<TAB>relation<TAB>tail", got 2 fields/);
  });

  it('take hyperparameters from defaults, presets and flags, validated', () => {
    expect(resolveHyperparameters(PRESETS['fb15k-237'] ?? {}, { epochs: 3 })).toMatchObject({ dimension: 200, margin: 9, epochs: 3, distance: 'L1' });
    expect(() => resolveHyperparameters({ negatives: 0 })).toThrow(/negatives: /);
  });
});

describe('weightTriples', () => {
  it('repeats the triples of weighted relations and leaves the others once', () => {
    const triples = { heads: Int32Array.of(0, 1, 2), relations: Int32Array.of(0, 1, 0), tails: Int32Array.of(5, 6, 7) };
    const weighted = weightTriples(triples, ['VIEWED', 'PURCHASED'], { PURCHASED: 3 });
    expect([...weighted.heads]).toEqual([0, 1, 1, 1, 2]);
    expect([...weighted.relations]).toEqual([0, 1, 1, 1, 0]);
    expect([...weighted.tails]).toEqual([5, 6, 6, 6, 7]);
    expect(() => weightTriples(triples, ['VIEWED', 'PURCHASED'], { PURCHASED: 0.5 })).toThrow(/PURCHASED: expected a whole number/);
  });

  it('parses --behaviour-weights and names a bad entry', () => {
    expect(parseBehaviourWeights('PURCHASED=3, ADDED_TO_CART=2')).toEqual({ PURCHASED: 3, ADDED_TO_CART: 2 });
    expect(() => parseBehaviourWeights('PURCHASED=three')).toThrow(/--behaviour-weights: expected RELATION=N .* got "PURCHASED=three"/);
  });
});
