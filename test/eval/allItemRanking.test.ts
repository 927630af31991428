import { describe, expect, it } from 'vitest';
import { evaluateTopK } from '../../src/eval/allItemRanking.js';
import { interactionsFromLists } from '../../src/math/interactions.js';
import type { BatchScorer } from '../../src/recommenders/scorer.js';

/** Scores item j as j: the highest ids first, the same for every user. */
const byItemId = (itemCount: number): BatchScorer => ({
  name: 'by-id',
  scoreUsers(users, out) {
    for (let b = 0; b < users.length; b += 1) for (let j = 0; j < itemCount; j += 1) out[b * itemCount + j] = j;
  },
});

describe('evaluateTopK', () => {
  const itemCount = 10;
  // User 0 trained on the two best-scored items; user 1 on none; user 2 has no test item.
  const split = {
    userCount: 3,
    itemCount,
    train: interactionsFromLists([[9, 8], [], [1]], itemCount),
    test: interactionsFromLists([[7], [9, 3], []], itemCount),
  };

  it('masks training items, skips users without test items and reports progress', async () => {
    const progress: [number, number][] = [];
    const result = await evaluateTopK(split, byItemId(itemCount), { ks: [1, 3], batchSize: 1, onProgress: (d, t) => progress.push([d, t]) });
    expect(result.users).toBe(2);
    expect(progress).toEqual([[1, 2], [2, 2]]);
    // User 0: items 9 and 8 are masked, so the list is 7 6 5 and item 7 is first. User 1: 9 8 7, hit at 1.
    expect(result.metrics['recall@1']).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(result.metrics['hitrate@1']).toBe(1);
    expect(result.metrics['mrr@3']).toBe(1);
    // Lists 7 6 5 and 9 8 7: five distinct items of ten.
    expect(result.metrics['coverage@3']).toBeCloseTo(0.5, 12);
  });

  it('evaluates only the given users, and checks them', async () => {
    const result = await evaluateTopK(split, byItemId(itemCount), { ks: [1], users: Int32Array.from([1, 2]) });
    expect(result.users).toBe(1);
    expect(result.metrics['recall@1']).toBeCloseTo(0.5, 12);
    await expect(evaluateTopK(split, byItemId(itemCount), { users: Int32Array.from([5]) })).rejects.toThrow(/users: 5 is not a user index/);
  });
});
