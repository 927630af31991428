import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { behaviourPatterns, CATALOGUE_PATTERNS, exportTriples } from '../../src/graph/tripleExport.js';
import { loadKgat } from '../../src/ingest/kgat.js';
import { relationWords, sharedAttributeText, sharedEntityText } from '../../src/ranking/explain.js';
import { FusedRanker } from '../../src/ranking/fusedRanker.js';
import { freshGraph, tempDir, writeFixture } from '../helpers.js';

/**
 * A knowledge graph in the real Neo4j (loaded by `kgrec ingest-kgat`'s loader): its triples reach the
 * training export, the ranker builds the kg signal from them, and recommendations name the path.
 */

const ARTIST = 'http://rdf.freebase.com/ns/music.recording.artist';
const TYPE = 'http://rdf.freebase.com/ns/common.topic.notable_types';

let graph: Graph;
let config: Config;

/** 10 songs: 0 and 1 by artist 10, 2 and 3 by artist 11, songs 0..8 of type 12; song 9, the most played, has no triple. */
function songsDir(): string {
  const dir = tempDir('kgrec-kg-songs-');
  writeFixture(dir, 'train.txt', ['0 0', '1 9 5', '2 9 6', '3 9 7 2']);
  writeFixture(dir, 'test.txt', ['0 1', '1 3', '2 8', '3 3']);
  writeFixture(dir, 'item_list.txt', ['org_id remap_id freebase_id', ...Array.from({ length: 10 }, (_, i) => `S${i} ${i} m.s${i}`)]);
  writeFixture(dir, 'relation_list.txt', ['org_id remap_id', `${TYPE} 0`, `${ARTIST} 1`]);
  writeFixture(dir, 'kg_final.txt', ['0 1 10', '1 1 10', '2 1 11', '3 1 11', ...Array.from({ length: 9 }, (_, i) => `${i} 0 12`)]);
  return dir;
}

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  await loadKgat(graph, { dir: songsDir(), prefix: 'k:', batchSize: 100 });
}, 120_000);
afterAll(async () => {
  await graph.close();
});

describe('the knowledge graph in training, ranking and explanations', () => {
  it('exports the KG triples for TransE training, one relation per KG relation name', async () => {
    const exported = await exportTriples(graph, [...behaviourPatterns(), ...CATALOGUE_PATTERNS]);
    expect(exported.counts[`KG:${ARTIST}`]).toBe(4);
    expect(exported.counts[`KG:${TYPE}`]).toBe(9);
    const artist = exported.relations.indexOf(`KG:${ARTIST}`);
    const pairs = [...exported.relationIds.keys()].filter((t) => exported.relationIds[t] === artist).map((t) => `${exported.entities[exported.heads[t]!]} ${exported.entities[exported.tails[t]!]}`);
    expect(pairs.sort()).toEqual(['Product:k:i0 Entity:k:e10', 'Product:k:i1 Entity:k:e10', 'Product:k:i2 Entity:k:e11', 'Product:k:i3 Entity:k:e11']);
    const without = await exportTriples(graph, behaviourPatterns(), undefined, { knowledgeGraph: false });
    expect(without.relations.some((relation) => relation.startsWith('KG:'))).toBe(false);
  });

  it('recommends the song by the same artist first and says so, along a path that exists in the graph', async () => {
    const ranker = new FusedRanker({ graph, modelsDir: tempDir('kgrec-kg-models-'), relationTypes: config.relationTypes, watchModels: false, diversity: 0, weights: { kg: 1 } });
    try {
      const state = await ranker.state();
      expect(state.kg?.graph.heads.length).toBe(13);
      const list = await ranker.recommend('k:u0', { first: 5, explain: true });
      const top = list.items[0];
      expect(top?.productId).toBe('k:i1');
      const reason = top?.reasons.find((r) => r.kind === 'SHARED_ENTITY');
      expect(reason?.text).toBe('by the same recording artist as item S0, which you bought');
      expect(reason?.path).toEqual(['User:k:u0', 'Product:k:i0', 'Entity:k:e10', 'Product:k:i1']);
      const [row] = await graph.read<{ n: number }>(
        `MATCH (:User {id: $user})-[:PURCHASED]->(a:Product {id: $from})-[:KG_RELATION {relation: $relation}]->(:Entity {id: $entity})<-[:KG_RELATION {relation: $relation}]-(b:Product {id: $to})
         RETURN count(*) AS n`,
        { user: 'k:u0', from: 'k:i0', relation: ARTIST, entity: 'k:e10', to: 'k:i1' },
      );
      expect(Number(row?.n)).toBe(1);
      // Song 9 shares nothing with song 0: the KG gives it nothing, and it gets no such reason.
      const other = list.items.find((item) => item.productId === 'k:i9');
      expect(other?.reasons.some((r) => r.kind === 'SHARED_ENTITY') ?? false).toBe(false);
    } finally {
      ranker.close();
    }
  });
});

describe('the lists built on a thread of their own', () => {
  it('are the same whether that thread reads the baskets and the KG from Neo4j or the ranking thread does', async () => {
    const options = { graph, modelsDir: tempDir('kgrec-kg-models-'), relationTypes: config.relationTypes, watchModels: false, weights: { kg: 1, itemItem: 1 } };
    const here = new FusedRanker({ ...options, listsOnThisThread: true });
    // The build thread's failure would fall back to the ranking thread's reads unseen but for this log.
    const logged: string[] = [];
    const aside = new FusedRanker({ ...options, neo4j: config, logger: { info: (_details, message) => logged.push(message) } });
    try {
      const [built, read] = await Promise.all([here.state(), aside.state()]);
      expect(built.neighbours.indices.length).toBeGreaterThan(0);
      expect(built.kg?.model.neighbours.indices.length).toBeGreaterThan(0);
      expect(read.neighbours).toEqual(built.neighbours);
      expect(read.itemItem?.model).toEqual(built.itemItem?.model);
      expect(read.kg?.graph).toEqual(built.kg?.graph);
      expect(read.kg?.model).toEqual(built.kg?.model);
      expect(logged.filter((message) => message.includes('failed'))).toEqual([]);
      expect(logged).toContain('ranking state loaded');
    } finally {
      here.close();
      aside.close();
    }
  });
});

describe('relation names in words', () => {
  it('reads URIs, dotted names, bare integers and underscores', () => {
    expect(relationWords(ARTIST)).toBe('recording artist');
    expect(relationWords('music.artist.origin')).toBe('artist origin');
    expect(relationWords('http://rdf.freebase.com/ns/film.film.genre')).toBe('film genre');
    expect(relationWords('music.recording.featured_artists')).toBe('recording featured artists');
    expect(relationWords('http://example.org/onto#hasBrand')).toBe('has brand');
    expect(relationWords('7')).toBe('relation 7');
    expect(sharedEntityText(ARTIST, 'shared', 'Yellow', 'played')).toBe('by the same recording artist as Yellow, which you played');
    expect(sharedEntityText('music.recording.releases', 'shared', 'Yellow', 'bought')).toBe('with the same recording releases as Yellow, which you bought');
    expect(sharedAttributeText('colour', 'red', 'Yellow', 'bought')).toBe('same colour (red) as Yellow, which you bought');
    expect(sharedAttributeText('artist', 'Nina Simone', 'Yellow', 'played')).toBe('by the same artist (Nina Simone) as Yellow, which you played');
    expect(sharedAttributeText('compatible_with', 'Aurora 5', 'Yellow', 'bought')).toBe('also compatible with Aurora 5, like Yellow, which you bought');
    expect(sharedEntityText('music.single.versions', 'direct', 'Yellow', 'bought')).toBe('linked to Yellow (single versions), which you bought');
  });
});
