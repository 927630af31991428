import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { fuse } from '../../src/ranking/fusionKernel.js';
import { moments, rememberSparseMoments } from '../../src/ranking/signalMoments.js';
import { groupedSums, groupedValue, spreadGroups, type GroupedSignal } from '../../src/ranking/groupedSignal.js';
import { scoreFromNeighbours } from '../../src/ranking/itemNeighbours.js';

const random = new Random(3);
const column = (n: number) => Float32Array.from({ length: n }, () => random.gaussian(0, 2));

function grouped(n: number, groups: number): GroupedSignal {
  // Some products in no group (−1), as products without a brand.
  return {
    values: Float64Array.from({ length: groups }, () => random.uniform(0, 1)),
    groupOf: Int32Array.from({ length: n }, () => random.nextInt(groups + 1) - 1),
  };
}

describe('fusion', () => {
  it('gives grouped signals and a pre-fused base exactly the scores of the spread, dense signals', () => {
    const n = 5_000;
    const weights = { graph: 0.5, coBought: 0.2, popularity: 0.1, recency: 0.05, category: 0.1, brand: 0.05 };
    const dense = { graph: column(n), coBought: column(n), popularity: column(n), recency: column(n) };
    const category = grouped(n, 40);
    const brand = grouped(n, 300);
    const expected = fuse({ ...dense, category: spreadGroups(category), brand: spreadGroups(brand) }, weights, n);

    const base = { values: fuse({ popularity: dense.popularity, recency: dense.recency }, weights, n), signals: new Set(['popularity', 'recency']) };
    const actual = fuse(dense, weights, n, { grouped: { category, brand }, base });
    for (let i = 0; i < n; i += 1) expect(actual[i]).toBeCloseTo(expected[i] as number, 4);
  });

  it('counts a grouped signal as the spread one: every product, 0 outside the groups', () => {
    const signal = grouped(1_000, 7);
    const spread = spreadGroups(signal);
    const { count, sum, squares } = groupedSums(signal);
    expect(count).toBe(1_000);
    expect(sum).toBeCloseTo(spread.reduce((a, b) => a + b, 0), 3);
    expect(squares).toBeCloseTo(spread.reduce((a, b) => a + b * b, 0), 3);
    expect(moments(spread).mean).toBeCloseTo(sum / count, 5);
    const outside = signal.groupOf.indexOf(-1);
    expect(groupedValue(signal, outside)).toBe(0);
  });

  it('skips a signal of weight 0 and keeps raw signals unstandardised', () => {
    const raw = Float32Array.from([0, 0.5, 1]);
    const veto = Float32Array.from([0, -Infinity, 0]);
    const out = fuse({ lexical: raw, veto }, { lexical: 2, veto: 0 }, 3, { raw: ['lexical'] });
    expect([...out]).toEqual([0, 1, 2]);
  });
});

describe('sparse signal moments', () => {
  it('match a pass over the whole catalogue, from the products a co-purchase score reached', () => {
    // Items 0..3 of 10; item 0's neighbours are 1 and 2, item 3's are 2 and 5.
    const neighbours = { itemCount: 10, indptr: Int32Array.from([0, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4]), indices: Int32Array.from([1, 2, 2, 5]), similarities: Float32Array.from([0.5, 0.25, 0.75, 0.4]) };
    const values = new Float32Array(10);
    const touched: number[] = [];
    scoreFromNeighbours(neighbours, [{ index: 0, weight: 2 }, { index: 3, weight: 1 }], values, touched);
    expect(touched.sort()).toEqual([1, 2, 5]);
    expect([...values]).toEqual([0, 1, 1.25, 0, 0, 0.4000000059604645, 0, 0, 0, 0]);
    rememberSparseMoments(values, touched);
    const dense = moments(values.slice());
    expect(moments(values).mean).toBeCloseTo(dense.mean, 6);
    expect(moments(values).std).toBeCloseTo(dense.std, 6);
  });
});

