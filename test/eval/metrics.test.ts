import { describe, expect, it } from 'vitest';
import { fitObjective, idealDcg, ndcgAtK, recallAtK, TopKMetricAccumulator } from '../../src/eval/metrics.js';

const list = (...items: number[]): Int32Array => Int32Array.from(items);
const log2 = Math.log2;

/*
 * User A: ranked 10 11 12 13 14, relevant {11, 14, 20}: hits at ranks 2 and 5, one relevant item missed.
 *   DCG@5 = 1/log2(3) + 1/log2(6); standard IDCG@5 = 3 hits on top = 1 + 1/log2(3) + 1/2;
 *   KGAT IDCG@5 = the 2 retrieved hits on top = 1 + 1/log2(3).
 *   @2: DCG = 1/log2(3); standard IDCG = 1 + 1/log2(3); KGAT IDCG (depth 2, 1 hit) = 1.
 * User B: ranked 1 2 3 4 5, relevant {9}: no hit.
 */
const dcgA5 = 1 / log2(3) + 1 / log2(6);

function accumulate(options: ConstructorParameters<typeof TopKMetricAccumulator>[2] = {}): Record<string, number> {
  const acc = new TopKMetricAccumulator([5, 2], 25, options);
  acc.add(list(10, 11, 12, 13, 14), 5, list(11, 14, 20));
  acc.add(list(1, 2, 3, 4, 5), 5, list(9));
  return acc.result();
}

describe('TopKMetricAccumulator', () => {
  it('computes recall, precision, hit rate and truncated MRR by hand', () => {
    const m = accumulate();
    expect(m['recall@5']).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(m['recall@2']).toBeCloseTo((1 / 3) / 2, 12);
    expect(m['precision@5']).toBeCloseTo((2 / 5) / 2, 12);
    expect(m['hitrate@5']).toBe(0.5);
    expect(m['mrr@5']).toBeCloseTo(0.5 / 2, 12);
    expect(m['mrr@2']).toBeCloseTo(0.5 / 2, 12);
  });

  it('separates the standard NDCG from KGAT’s variant, whose ideal counts only retrieved hits', () => {
    const m = accumulate();
    const standard5 = dcgA5 / (1 + 1 / log2(3) + 1 / 2);
    const kgat5 = dcgA5 / (1 + 1 / log2(3));
    expect(m['ndcg@5']).toBeCloseTo(standard5 / 2, 12);
    expect(m['ndcg_kgat@5']).toBeCloseTo(kgat5 / 2, 12);
    expect(m['ndcg_kgat@5']!).toBeGreaterThan(m['ndcg@5']!);
    expect(m['ndcg@2']).toBeCloseTo(1 / log2(3) / (1 + 1 / log2(3)) / 2, 12);
    expect(m['ndcg_kgat@2']).toBeCloseTo(1 / log2(3) / 2, 12);
  });

  it('takes KGAT’s ideal from a deeper list when asked, as its code does with Ks up to 100', () => {
    const m = accumulate({ kgatIdealDepth: 5 });
    // Two hits within the top 5, so the ideal @2 has two hits: the same as the standard ideal here.
    expect(m['ndcg_kgat@2']).toBeCloseTo(m['ndcg@2']!, 12);
    expect(() => new TopKMetricAccumulator([20], 10, { kgatIdealDepth: 10 })).toThrow(/kgatIdealDepth/);
  });

  it('measures catalogue coverage over all lists', () => {
    const m = accumulate();
    expect(m['coverage@5']).toBeCloseTo(10 / 25, 12);
    expect(m['coverage@2']).toBeCloseTo(4 / 25, 12);
  });

  it('measures intra-list diversity from categories, skipping unknown ones', () => {
    const category = new Int32Array(25).fill(7);
    category.set([0, -1, 0, 0, 1], 1); // items 1..5: 2 has no category
    category.set([0, 0, 1, 1, 2], 10); // items 10..14
    const m = accumulate({ itemCategory: category });
    // A: 10 pairs, 2 within a category → 0.8; B: items 1,3,4,5 → 6 pairs, 3 within category 0 → 0.5.
    expect(m['ild@5']).toBeCloseTo((0.8 + 0.5) / 2, 12);
    // @2: A (10, 11) same → 0; B (1, 2): only one known category → left out.
    expect(m['ild@2']).toBe(0);
    expect(accumulate()['ild@5']).toBeUndefined();
  });

  it('counts a short list (few rankable items) without reading past its end', () => {
    const acc = new TopKMetricAccumulator([3], 10);
    acc.add(list(4, 9, 9), 1, list(4, 5));
    const m = acc.result();
    expect(m['recall@3']).toBeCloseTo(0.5, 12);
    expect(m['ndcg@3']).toBeCloseTo(1 / (1 + 1 / log2(3)), 12);
    expect(m['coverage@3']).toBeCloseTo(0.1, 12);
  });
});

describe('ndcgAtK', () => {
  it('agrees with the accumulator', () => {
    expect(ndcgAtK(list(10, 11, 12, 13, 14), 5, list(11, 14, 20), 5)).toBeCloseTo(dcgA5 / idealDcg(3, 5), 12);
    expect(ndcgAtK(list(1, 2), 2, list(9), 2)).toBe(0);
  });
});

describe('recallAtK and fitObjective', () => {
  it('count the relevant items in the first k, over all relevant ones, and average recall with NDCG', () => {
    // Hits 11 and 14 of {11, 14, 20} in the first 5; only 11 in the first 2; none when nothing is relevant.
    expect(recallAtK(list(10, 11, 12, 13, 14), 5, list(11, 14, 20), 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(list(10, 11, 12, 13, 14), 5, list(11, 14, 20), 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(list(1, 2), 2, list(), 2)).toBe(0);
    expect(fitObjective({ ndcg: 0.2, recall: 0.6 })).toBeCloseTo(0.4, 12);
  });
});
