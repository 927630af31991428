import { describe, expect, it } from 'vitest';
import type { ProductAttribute } from '../../src/domain/attributes.js';
import { demoEvalData } from '../../src/jobs/evalData.js';
import { offlineState, profileRows } from '../../src/jobs/evaluateRecommenders.js';
import { buildRankingKg } from '../../src/ranking/kgIndex.js';
import { KG_INTEREST_PRIOR, kgInterestScores } from '../../src/ranking/kgInterest.js';
import { recommendSignals } from '../../src/ranking/recommendSignals.js';
import { ScoreArrayPool } from '../../src/ranking/scoreArrays.js';
import { attributeKnowledgeGraph } from '../../src/recommenders/knowledgeGraph.js';

/** Products with attributes, in snapshot order, plus `extra` products the graph does not know. */
function rankingKg(attributes: ReadonlyArray<readonly ProductAttribute[]>, extra = 0) {
  const products = attributes.map((list, i) => ({ id: `p${i}`, attributes: list }));
  const graph = attributeKnowledgeGraph(products);
  if (!graph) throw new Error('no triples');
  const indexOf = new Map(products.map((product, i) => [product.id, i]));
  return buildRankingKg(graph, indexOf, products.length + extra, 0);
}

const a = (key: string, value: string): ProductAttribute => ({ key, value });

describe('the kgInterest signal', () => {
  it('ranks products with the values the user favours first, key by key, and leaves keys they never met alone', () => {
    const kg = rankingKg(
      [
        [a('colour', 'red'), a('material', 'wool')],
        [a('colour', 'red'), a('material', 'cotton')],
        [a('colour', 'blue'), a('material', 'wool')],
        [a('colour', 'blue'), a('material', 'cotton')],
        [a('colour', 'red'), a('material', 'cotton')],
        [a('colour', 'blue'), a('material', 'wool')],
        [a('scent', 'citrus')],
        [a('scent', 'citrus')],
        [],
      ],
      1,
    );
    // Two red products, one of each material.
    const scores = kgInterestScores(kg, [{ index: 0, weight: 3 }, { index: 1, weight: 3 }], 10);
    expect(scores[4]).toBeGreaterThan(0); // red
    for (const blue of [2, 3, 5]) expect(scores[blue]).toBeLessThan(0);
    // The user met wool and cotton alike, so the material says nothing between the blue products.
    expect(scores[3]).toBeCloseTo(scores[5]!, 6);
    // A key the user never met, a product without attributes, a product outside the graph: neutral.
    expect([scores[6], scores[7], scores[8], scores[9]]).toEqual([0, 0, 0, 0]);
  });

  it('sums the log lift of each entity against its share of the key, so that a hub lifts a score little', () => {
    // kind: A on 8 of 10 products (a hub), B on 2; artist: five artists of two products each.
    const kg = rankingKg(Array.from({ length: 10 }, (_, i) => [a('kind', i < 8 ? 'A' : 'B'), a('artist', 'vwxyz'[Math.floor(i / 2)]!)]));
    const w = KG_INTEREST_PRIOR; // one purchase of product 0 (kind A, artist v)
    const scores = kgInterestScores(kg, [{ index: 0, weight: w }], 10);
    const lift = (engaged: number, share: number) => Math.log((engaged + KG_INTEREST_PRIOR * share) / ((w + KG_INTEREST_PRIOR) * share));
    expect(scores[1]).toBeCloseTo(lift(w, 0.8) + lift(w, 0.2), 5); // same kind, same artist
    expect(scores[2]).toBeCloseTo(lift(w, 0.8) + lift(0, 0.2), 5); // same kind only
    expect(scores[8]).toBeCloseTo(lift(0, 0.2) + lift(0, 0.2), 5); // neither
    // The shared hub adds log(1.125); the shared artist log(3).
    expect(scores[2]! - lift(0, 0.2)).toBeCloseTo(Math.log(1.125), 5);
    expect(scores[1]! - scores[2]!).toBeCloseTo(Math.log(3) - Math.log(0.5), 5);
  });

  it('counts where the user shops: each score times the interest in the product\'s category', () => {
    const kg = rankingKg(Array.from({ length: 6 }, (_, i) => [a('colour', i % 2 === 0 ? 'red' : 'blue')]));
    const history = [{ index: 0, weight: 4 }];
    const ungated = kgInterestScores(kg, history, 6);
    // Products 0..3 in category 0 (interest 1), 4 in category 1 (interest 0.5), 5 in none.
    const gated = kgInterestScores(kg, history, 6, undefined, { values: Float64Array.of(1, 0.5), groupOf: Int32Array.of(0, 0, 0, 0, 1, -1) });
    for (const i of [0, 1, 2, 3]) expect(gated[i]).toBeCloseTo(ungated[i]!, 6);
    expect(gated[4]).toBeCloseTo(ungated[4]! * 0.5, 6);
    expect(gated[4]).toBeGreaterThan(0);
    expect(gated[5]).toBe(0);
  });

  it('leaves no trace of one user in the next, with pooled score arrays', () => {
    const kg = rankingKg(Array.from({ length: 6 }, (_, i) => [a('colour', i % 2 === 0 ? 'red' : 'blue')]));
    const pool = new ScoreArrayPool();
    const lease = pool.lease();
    const alone = Array.from(kgInterestScores(kg, [{ index: 1, weight: 2 }], 6));
    kgInterestScores(kg, [{ index: 0, weight: 5 }, { index: 2, weight: 1 }], 6, lease.take);
    lease.giveBack();
    expect(Array.from(kgInterestScores(kg, [{ index: 1, weight: 2 }], 6, pool.lease().take))).toEqual(alone);
    expect(Array.from(kgInterestScores(kg, [], 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('is a signal of recommend where the shop has a knowledge graph, and only there', () => {
    const data = demoEvalData({ products: 300, users: 60, events: 4_000, seed: 3 });
    const rows = profileRows(data, data.fit);
    const user = rows.findIndex((userRows) => userRows.length > 5);
    const only = new Set(['kgInterest']);
    const withKg = recommendSignals(offlineState(data, null, data.fit), data.users[user]!, rows[user]!, only).signals.kgInterest;
    expect(withKg?.some((value) => value > 0)).toBe(true);
    expect(withKg?.some((value) => value < 0)).toBe(true);
    expect(recommendSignals(offlineState(data, null, data.fit, null, { withKg: false }), data.users[user]!, rows[user]!, only).signals.kgInterest).toBeUndefined();
  });
});
