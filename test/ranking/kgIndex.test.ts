import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { buildRankingKg, kgScores } from '../../src/ranking/kgIndex.js';
import { entityNodeKey, KnowledgeGraphBuilder, productKey } from '../../src/recommenders/knowledgeGraph.js';

const ITEMS = 60;

/** Products with one or two of a few attribute values each (hubs of a dozen products), and one linked pair. */
function attributeGraph(seed: number) {
  const random = new Random(seed);
  const builder = new KnowledgeGraphBuilder(Array.from({ length: ITEMS }, (_, i) => productKey(`p${i}`)));
  for (let i = 0; i < ITEMS - 1; i += 1) {
    builder.add(productKey(`p${i}`), 'colour', entityNodeKey(`colour-${random.nextInt(5)}`));
    if (random.chance(0.5)) builder.add(productKey(`p${i}`), 'material', entityNodeKey(`material-${random.nextInt(8)}`));
  }
  builder.add(productKey('p3'), 'variant_of', productKey('p4'));
  return builder.build();
}

describe('the kg signal', () => {
  it('sums the cosine of every product with each of the user\'s products, not only their cut neighbour lists', () => {
    const graph = attributeGraph(3);
    // Snapshot order differs from the graph's: reversed, with the last product missing from the catalogue.
    const indexOf = new Map(Array.from({ length: ITEMS - 1 }, (_, i) => [`p${i}`, ITEMS - 2 - i] as const));
    // Lists of 2 neighbours: far fewer than the products sharing a colour.
    const kg = buildRankingKg(graph, indexOf, ITEMS - 1, 0, { neighbours: 2 });
    const { entities } = kg.model;
    const vector = (item: number) => {
      const x = new Map<number, number>();
      for (let k = entities.indptr[item]!; k < entities.indptr[item + 1]!; k += 1) x.set(entities.nodes[k]!, entities.weights[k]!);
      return x;
    };
    const cosine = (a: number, b: number) => {
      const [x, y] = [vector(a), vector(b)];
      let dot = 0;
      for (const [node, value] of x) dot += value * (y.get(node) ?? 0);
      const norm = (v: Map<number, number>) => Math.sqrt([...v.values()].reduce((sum, value) => sum + value * value, 0));
      return dot === 0 ? 0 : dot / (norm(x) * norm(y));
    };
    const history = [{ index: indexOf.get('p3')!, weight: 1 }, { index: indexOf.get('p10')!, weight: 0.5 }, { index: indexOf.get('p3')!, weight: 0.25 }];
    const scores = kgScores(kg, history, ITEMS - 1);
    let reached = 0;
    for (let item = 0; item < ITEMS - 1; item += 1) {
      const expected = history.reduce((sum, { index, weight }) => {
        const from = ITEMS - 2 - index;
        return from === item ? sum : sum + weight * cosine(from, item);
      }, 0);
      expect(scores[ITEMS - 2 - item]).toBeCloseTo(expected, 5);
      if (expected > 0) reached += 1;
    }
    // Far more products than two lists of 2 neighbours could reach.
    expect(reached).toBeGreaterThan(10);
    // A user's own product, sharing nothing with the user's others, is not lifted by its own similarity.
    const alone = kgScores(kg, [{ index: indexOf.get('p3')!, weight: 1 }], ITEMS - 1);
    expect(alone[indexOf.get('p3')!]).toBe(0);
  });
});
