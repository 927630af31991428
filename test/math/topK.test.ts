import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { TopKSelector } from '../../src/math/topK.js';

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
