import { describe, expect, it } from 'vitest';
import { buildTunedBaseline } from '../../src/eval/tuneBaselines.js';
import { demoEvalData } from '../../src/jobs/evalData.js';
import { offlineState, profileRows } from '../../src/jobs/evaluateRecommenders.js';
import { interactionsFromPairs } from '../../src/math/interactions.js';
import { DEFAULT_FUSION_WEIGHTS } from '../../src/ranking/fusionWeights.js';
import type { ItemItemSpec } from '../../src/ranking/itemItemSignal.js';
import { recommendSignals } from '../../src/ranking/recommendSignals.js';
import { buildItemItemModel } from '../../src/recommenders/itemItem.js';

const SPECS: ItemItemSpec[] = [
  { model: 'rp3beta', params: { alpha: 0.5, beta: 0.3, neighbours: 30 } },
  { model: 'itemknn', params: { similarity: 'asymmetric-cosine', asymmetricAlpha: 0.75, shrink: 10, neighbourhood: 'candidate', neighbours: 25 } },
  // Every entry of each row kept: the sparse form is then the dense EASE baseline.
  { model: 'ease', params: { l2: 25, neighbours: 1_000 } },
];

describe('the itemItem signal', () => {
  it.each(SPECS)('scores a user as the tuned $model baseline of offline evaluation does', (spec) => {
    const data = demoEvalData({ products: 300, users: 100, events: 5_000, seed: 9 });
    const state = offlineState(data, null, data.fit, null, { itemItem: spec });
    // Items in the snapshot's order and shoppers in the order of their baskets, as the ranker holds them:
    // top-k cuts break ties by the order the co-occurrences were met in.
    const position = Int32Array.from(data.products, (product) => state.indexOf.get(product.id) ?? -1);
    const basketOrder = new Map<number, number>();
    for (const row of data.fit) if (!basketOrder.has(row.user)) basketOrder.set(row.user, basketOrder.size);
    const asBasket = (user: number) => basketOrder.get(user) ?? -1;
    const history = interactionsFromPairs(Int32Array.from(data.fit, (row) => asBasket(row.user)), Int32Array.from(data.fit, (row) => position[row.item]!), basketOrder.size, data.products.length);
    const baseline = buildTunedBaseline(spec.model, history, spec.params);
    const rows = profileRows(data, data.fit);
    const users = Int32Array.from({ length: 10 }, (_, i) => i);
    const expected = new Float32Array(users.length * data.products.length);
    void baseline.scoreUsers(users.map(asBasket), expected);
    let scored = 0;
    users.forEach((user, b) => {
      const served = recommendSignals(state, data.users[user] ?? '', rows[user] ?? [], new Set(['itemItem'])).signals.itemItem;
      data.products.forEach((_product, at) => {
        const value = served?.[at] ?? 0;
        expect(value).toBeCloseTo(expected[b * data.products.length + at]!, 5);
        if (value > 0) scored += 1;
      });
    });
    expect(scored).toBeGreaterThan(100);
  });

  it('is not built when its weight is 0, and cuts the neighbour lists to a memory cap', () => {
    const data = demoEvalData({ products: 200, users: 60, events: 2_000, seed: 4 });
    expect(offlineState(data, null, data.fit, null, { fitted: { ...DEFAULT_FUSION_WEIGHTS, itemItem: 0 } }).itemItem).toBeNull();
    const history = interactionsFromPairs(Int32Array.from(data.fit, (row) => row.user), Int32Array.from(data.fit, (row) => row.item), data.users.length, data.products.length);
    const capped = buildItemItemModel('rp3beta', history, { alpha: 1, beta: 0.5, neighbours: 50 }, 3);
    const longest = Math.max(...Array.from({ length: capped.itemCount }, (_, i) => capped.indptr[i + 1]! - capped.indptr[i]!));
    expect(longest).toBe(3);
    expect(() => buildItemItemModel('rp3beta', history, { alpha: 1, neighbours: 50 })).toThrow(/rp3beta: beta: expected a number/);
  });
});
