import { describe, expect, it } from 'vitest';
import { buildItemKnn, buildItemKnnNeighbourhoods, ItemKnnScorer } from '../../src/recommenders/itemKnn.js';
import { interactionsFromLists } from '../../src/math/interactions.js';
import { Random } from '../../src/math/random.js';
import { denseOf, denseRow, expectTopKRow, product, transposed } from '../denseReference.js';

/*
 * Users: u0 {0,1}, u1 {0,1,2}, u2 {1,2}, u3 {3}, u4 {2}. Degrees: item0 2, item1 3, item2 3, item3 1.
 * Co-occurrence: (0,1) 2, (0,2) 1, (1,2) 2; item 3 co-occurs with nothing.
 * Cosine (shrink 0): sim(0,1) = 2/√6 ≈ 0.8165, sim(0,2) = 1/√6 ≈ 0.4082, sim(1,2) = 2/3.
 */
const train = interactionsFromLists([[0, 1], [0, 1, 2], [1, 2], [3], [2]], 4);
const neighbours = (model: ReturnType<typeof buildItemKnn>, item: number) =>
  Array.from(model.indices.subarray(model.indptr[item]!, model.indptr[item + 1]!));
const sims = (model: ReturnType<typeof buildItemKnn>, item: number) =>
  Array.from(model.similarities.subarray(model.indptr[item]!, model.indptr[item + 1]!));

describe('item-kNN', () => {
  it('finds the hand-computed neighbours, best first, never the item itself', () => {
    const model = buildItemKnn(train, { shrink: 0 });
    expect(neighbours(model, 0)).toEqual([1, 2]);
    expect(sims(model, 0)[0]).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(sims(model, 0)[1]).toBeCloseTo(1 / Math.sqrt(6), 6);
    expect(neighbours(model, 1)).toEqual([0, 2]);
    expect(neighbours(model, 2)).toEqual([1, 0]);
    expect(sims(model, 2)[0]).toBeCloseTo(2 / 3, 6);
    expect(neighbours(model, 3)).toEqual([]);
  });

  it('keeps the top N and shrinks similarities resting on few users', () => {
    const model = buildItemKnn(train, { neighbours: 1, shrink: 10 });
    expect(neighbours(model, 0)).toEqual([1]);
    expect(sims(model, 0)[0]).toBeCloseTo(2 / (Math.sqrt(6) + 10), 6);
  });

  it('scores a user by summing the neighbour lists of their items', () => {
    const model = buildItemKnn(train, { shrink: 0 });
    const out = new Float32Array(2 * 4);
    new ItemKnnScorer(model, train).scoreUsers(Int32Array.from([2, 3]), out);
    // u2 {1, 2}: item 0 = sim(1,0) + sim(2,0); item 1 = sim(2,1); item 2 = sim(1,2); item 3 = 0.
    expect(out[0]).toBeCloseTo(3 / Math.sqrt(6), 6);
    expect(out[1]).toBeCloseTo(2 / 3, 6);
    expect(out[2]).toBeCloseTo(2 / 3, 6);
    expect(out[3]).toBe(0);
    expect(Array.from(out.subarray(4))).toEqual([0, 0, 0, 0]); // u3's item has no neighbours
  });
});

describe('item-kNN similarities and neighbourhoods', () => {
  const random = new Random(5);
  const data = interactionsFromLists(Array.from({ length: 40 }, () => Array.from({ length: 1 + random.nextInt(4) }, () => random.nextInt(9))), 9);
  const x = denseOf(data);
  const co = product(transposed(x), x);
  const degree = co.map((row, i) => row[i]!);
  const formula = {
    cosine: (i: number, j: number, shrink: number) => co[i]![j]! / (Math.sqrt(degree[i]! * degree[j]!) + shrink),
    'asymmetric-cosine': (i: number, j: number, shrink: number) => co[i]![j]! / (degree[i]! ** 0.25 * degree[j]! ** 0.75 + shrink),
    jaccard: (i: number, j: number, shrink: number) => co[i]![j]! / (degree[i]! + degree[j]! - co[i]![j]! + shrink),
  };

  /** Row `owner` of the full similarity: history item → candidates, or candidate → history items. */
  function fullRow(kind: keyof typeof formula, shrink: number, owner: number, neighbourhood: 'history' | 'candidate'): number[] {
    return co[owner]!.map((count, other) => {
      if (other === owner || count === 0) return 0;
      return neighbourhood === 'history' ? formula[kind](owner, other, shrink) : formula[kind](other, owner, shrink);
    });
  }

  it.each([
    ['cosine', 0, 9, 'history'],
    ['cosine', 5, 2, 'candidate'],
    ['asymmetric-cosine', 2, 3, 'history'],
    ['asymmetric-cosine', 2, 3, 'candidate'],
    ['jaccard', 1, 4, 'history'],
    ['jaccard', 0, 2, 'candidate'],
  ] as const)('%s, shrink %d, top %d of the %s item matches the formula', (kind, shrink, k, neighbourhood) => {
    // The owner's rows, before they are turned over for scoring in the candidate orientation.
    const rows = buildItemKnnNeighbourhoods(data, { similarity: kind, shrink, neighbours: k, neighbourhood, asymmetricAlpha: 0.25 });
    for (let owner = 0; owner < data.itemCount; owner += 1) {
      expectTopKRow(denseRow(rows, owner), fullRow(kind, shrink, owner, neighbourhood), k, false, (a, b) => expect(a).toBeCloseTo(b, 6));
    }
    // Scoring reads W[history][candidate].
    const model = buildItemKnn(data, { similarity: kind, shrink, neighbours: k, neighbourhood, asymmetricAlpha: 0.25 });
    for (let i = 0; i < data.itemCount; i += 1) {
      denseRow(model, i).forEach((value, j) => expect(value).toBeCloseTo(neighbourhood === 'history' ? denseRow(rows, i)[j]! : denseRow(rows, j)[i]!, 6));
    }
  });

  it('names a bad option', () => {
    expect(() => buildItemKnn(data, { shrink: -1 })).toThrow(/shrink: expected a finite number ≥ 0, got -1/);
    expect(() => buildItemKnn(data, { similarity: 'pearson' as never })).toThrow(/similarity: expected one of cosine, asymmetric-cosine, jaccard, got pearson/);
    expect(() => buildItemKnn(data, { similarity: 'asymmetric-cosine', asymmetricAlpha: 2 })).toThrow(/asymmetricAlpha/);
  });
});
