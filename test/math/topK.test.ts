import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { TopKSelector, topIndices } from '../../src/math/topK.js';

/** The reference: a full sort by score descending, then position ascending. */
function fullSort(values: Float32Array | Float64Array, offset: number, length: number, k: number): number[] {
  const positions = Array.from({ length }, (_, i) => i).filter((i) => values[offset + i]! > Number.NEGATIVE_INFINITY);
  positions.sort((a, b) => values[offset + b]! - values[offset + a]! || a - b);
  return positions.slice(0, k);
}

describe('TopKSelector', () => {
  it('equals a full sort on random rows, ties and masked entries included', () => {
    const random = new Random(42);
    const length = 2000;
    const values = new Float32Array(3 * length);
    for (let i = 0; i < values.length; i += 1) {
      const r = random.nextFloat();
      // A coarse grid makes many ties; some entries are masked or NaN.
      values[i] = r < 0.1 ? Number.NEGATIVE_INFINITY : r < 0.12 ? Number.NaN : Math.round(random.nextFloat() * 50) / 50;
    }
    for (const k of [1, 7, 20, 100]) {
      const selector = new TopKSelector(k);
      for (let row = 0; row < 3; row += 1) {
        const count = selector.select(values, row * length, length);
        const expected = fullSort(values, row * length, length, k);
        expect(count).toBe(expected.length);
        expect(Array.from(selector.items.subarray(0, count))).toEqual(expected);
        expect(selector.scores[0]).toBe(values[row * length + expected[0]!]);
      }
    }
  });

  it('returns fewer than k when fewer entries are selectable', () => {
    const selector = new TopKSelector(5);
    const count = selector.select(Float32Array.from([Number.NEGATIVE_INFINITY, 2, Number.NaN, 1]), 0, 4);
    expect(count).toBe(2);
    expect(Array.from(selector.items.subarray(0, 2))).toEqual([1, 3]);
  });
});

describe('TopKSelector.selectWeightedSum', () => {
  it('equals selecting from the weighted sum written out, for 1 to 4 components', () => {
    const random = new Random(8);
    const length = 500;
    const components = Array.from({ length: 4 }, () =>
      Float32Array.from({ length: 2 * length }, () => (random.nextFloat() < 0.05 ? Number.NEGATIVE_INFINITY : random.gaussian())),
    );
    const weights = [0.5, 0.25, 2, 0.125];
    const selector = new TopKSelector(20);
    for (let count = 1; count <= 4; count += 1) {
      const used = components.slice(0, count);
      const sum = new Float64Array(2 * length);
      for (let i = 0; i < sum.length; i += 1) for (let c = 0; c < count; c += 1) sum[i]! += weights[c]! * used[c]![i]!;
      const found = selector.selectWeightedSum(used, weights.slice(0, count), length, length);
      expect(found).toBe(20);
      expect(Array.from(selector.items)).toEqual(fullSort(sum, length, length, 20));
    }
  });
});

describe('topIndices', () => {
  it('returns the k best accepted scores, best first, ties to the lower index', () => {
    const scores = Float32Array.from([3, 9, 9, 1, 7, 9, 5]);
    expect(topIndices(scores, 3, () => true)).toEqual([1, 2, 5]);
    expect(topIndices(scores, 3, (i) => i !== 2)).toEqual([1, 5, 4]);
    expect(topIndices(scores, 10, (i) => i % 2 === 0)).toEqual([2, 4, 6, 0]);
    expect(topIndices(scores, 0, () => true)).toEqual([]);
    expect(topIndices(Float32Array.from([1, -Infinity, Number.NaN, 2]), 4, () => true)).toEqual([3, 0]);
  });

  it('agrees with a full sort on random scores', () => {
    const random = new Random(3);
    const scores = Float32Array.from({ length: 20_000 }, () => random.gaussian(0, 2));
    const accept = (i: number) => i % 3 !== 0;
    const sorted = Array.from(scores.keys()).filter(accept).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
    expect(topIndices(scores, 40, accept)).toEqual(sorted.slice(0, 40));
  });
});
describe('TopKSelector.consider', () => {
  it('keeps the best k of pairs offered in any order, ties to the lower id, like a full sort', () => {
    const pair = fc.record({ score: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.NEGATIVE_INFINITY, Number.NaN)), id: fc.nat(60) });
    fc.assert(
      fc.property(fc.uniqueArray(pair, { selector: (p) => p.id, maxLength: 50 }), fc.integer({ min: 1, max: 12 }), (pairs, k) => {
        const selector = new TopKSelector(k);
        selector.reset();
        for (const { score, id } of pairs) selector.consider(score, id);
        const count = selector.finish();
        const expected = pairs
          .filter((p) => p.score > Number.NEGATIVE_INFINITY)
          .sort((a, b) => b.score - a.score || a.id - b.id)
          .slice(0, k);
        expect(count).toBe(expected.length);
        expect(Array.from(selector.items.subarray(0, count))).toEqual(expected.map((p) => p.id));
        expect(Array.from(selector.scores.subarray(0, count))).toEqual(expected.map((p) => p.score));
      }),
    );
  });

  it('reports the score to beat once k are held, and starts over after reset', () => {
    const selector = new TopKSelector(2);
    selector.reset();
    selector.consider(5, 0);
    expect(selector.threshold).toBe(Number.NEGATIVE_INFINITY);
    selector.consider(3, 1);
    expect(selector.threshold).toBe(3);
    selector.consider(4, 2);
    expect(selector.threshold).toBe(4);
    // An equal score at a higher id loses the tie; at a lower id it wins it.
    selector.consider(4, 3);
    selector.finish();
    expect(Array.from(selector.items)).toEqual([0, 2]);
    selector.reset();
    expect(selector.threshold).toBe(Number.NEGATIVE_INFINITY);
    selector.consider(1, 9);
    selector.consider(1, 8);
    selector.consider(1, 7);
    expect(selector.finish()).toBe(2);
    expect(Array.from(selector.items)).toEqual([7, 8]);
  });

  it('refuses a k that is not a positive integer', () => {
    expect(() => new TopKSelector(0)).toThrow(/k: expected a positive integer, got 0/);
  });
});
