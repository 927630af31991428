import { describe, expect, it } from 'vitest';
import { interactionsFromLists } from '../../src/math/interactions.js';
import { ItemKnnScorer } from '../../src/recommenders/itemKnn.js';
import { buildKgSimilarity, sharedEntity } from '../../src/recommenders/kgSimilarity.js';
import { entityNodeKey, KnowledgeGraphBuilder, productKey, type ItemKnowledgeGraph } from '../../src/recommenders/knowledgeGraph.js';

const ARTIST = 'http://rdf.freebase.com/ns/music.recording.artist';
const TYPE = 'http://rdf.freebase.com/ns/common.topic.notable_types';

/**
 * A generated catalogue of `n` songs: songs 0 and 1 share an artist, songs 2 and 3 another; every song but
 * the last has the same "recording" type (a hub); song 4 is a version of song 5, linked directly; the last
 * song is linked to nothing.
 */
function songs(n = 8): ItemKnowledgeGraph {
  const builder = new KnowledgeGraphBuilder(Array.from({ length: n }, (_, i) => productKey(`s${i}`)));
  builder.add(productKey('s0'), ARTIST, entityNodeKey('artist-a'));
  builder.add(productKey('s1'), ARTIST, entityNodeKey('artist-a'));
  builder.add(productKey('s2'), ARTIST, entityNodeKey('artist-b'));
  builder.add(productKey('s3'), ARTIST, entityNodeKey('artist-b'));
  for (let i = 0; i < n - 1; i += 1) builder.add(productKey(`s${i}`), TYPE, entityNodeKey('recording'));
  builder.add(productKey('s4'), 'music.single.versions', productKey('s5'));
  return builder.build();
}

const similarity = (model: ReturnType<typeof buildKgSimilarity>, from: number, to: number): number => {
  const { indptr, indices, similarities } = model.neighbours;
  for (let k = indptr[from]!; k < indptr[from + 1]!; k += 1) if (indices[k] === to) return similarities[k]!;
  return 0;
};

describe('the knowledge-graph item similarity', () => {
  for (const [name, options] of [
    ['1/degree', { weighting: 'inverseDegree' as const }],
    ['IDF', { weighting: 'idf' as const }],
    ['two hops', { twoHop: 0.3 }],
  ] as const) {
    it(`ranks a song sharing the user's artist above one sharing only a hub, and both above one sharing nothing (${name})`, () => {
      const kg = songs();
      const model = buildKgSimilarity(kg, options);
      const history = interactionsFromLists([[0]], kg.itemCount);
      const scores = new Float32Array(kg.itemCount);
      new ItemKnnScorer(model.neighbours, history).scoreUsers(Int32Array.of(0), scores);
      expect(scores[1]).toBeGreaterThan(scores[2]!);
      expect(scores[2]).toBeGreaterThan(0);
      expect(scores[7]).toBe(0);
      // A hub weighs less than a specific entity: the artist makes s0 and s1 closer than the type alone does s0 and s6.
      expect(similarity(model, 0, 1)).toBeGreaterThan(similarity(model, 0, 6));
    });
  }

  it('treats two items linked directly as sharing a node, and is symmetric', () => {
    const model = buildKgSimilarity(songs());
    expect(similarity(model, 4, 5)).toBeGreaterThan(similarity(model, 4, 0));
    expect(similarity(model, 4, 5)).toBeCloseTo(similarity(model, 5, 4), 6);
  });

  it('leaves out entities that reach more items than allowed', () => {
    const model = buildKgSimilarity(songs(), { maxEntityItems: 3 });
    expect(similarity(model, 0, 6)).toBe(0);
    expect(similarity(model, 0, 1)).toBeGreaterThan(0);
  });

  it('names the strongest shared entity and the relations towards it', () => {
    const kg = songs();
    const model = buildKgSimilarity(kg);
    const shared = sharedEntity(model.entities, 0, 1);
    expect(shared && kg.nodeKeys[shared.node]).toBe('Entity:artist-a');
    expect(shared && kg.relationNames[shared.fromRelation]).toBe(ARTIST);
    expect(shared && kg.relationNames[shared.toRelation]).toBe(ARTIST);
    const direct = sharedEntity(model.entities, 4, 5);
    expect(direct && kg.nodeKeys[direct.node]).toMatch(/^Product:s[45]$/);
    expect(sharedEntity(model.entities, 0, 7)).toBeNull();
  });

  it('rejects settings out of range, naming them', () => {
    expect(() => buildKgSimilarity(songs(), { neighbours: 0 })).toThrow(/neighbours/);
    expect(() => buildKgSimilarity(songs(), { twoHop: 2 })).toThrow(/twoHop/);
    expect(() => buildKgSimilarity(songs(), { beta: -1 })).toThrow(/beta/);
  });
});
