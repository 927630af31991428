import { describe, expect, it } from 'vitest';
import { buildEase, EASE_MAX_ITEMS, EaseScorer, sparsifyEase } from '../../src/recommenders/ease.js';
import { buildItemItemModel } from '../../src/recommenders/itemItem.js';
import { ItemSimilarityScorer } from '../../src/recommenders/itemSimilarityScorer.js';
import { interactionsFromLists } from '../../src/math/interactions.js';
import { Random } from '../../src/math/random.js';
import { denseOf, inverse, product, transposed } from '../denseReference.js';

/** A small random user–item matrix: 40 users, 9 items, 1–5 items each. */
function randomInteractions(seed: number, users = 40, items = 9) {
  const random = new Random(seed);
  const lists = Array.from({ length: users }, () => Array.from({ length: 1 + random.nextInt(5) }, () => random.nextInt(items)));
  return interactionsFromLists(lists, items);
}

describe('EASE', () => {
  it('equals the closed form B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, from a dense inverse', () => {
    const train = randomInteractions(1);
    const l2 = 3;
    const x = denseOf(train);
    const gram = product(transposed(x), x).map((row, i) => row.map((value, j) => value + (i === j ? l2 : 0)));
    const p = inverse(gram);
    const model = buildEase(train, { l2 });
    const n = train.itemCount;
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) {
        const expected = i === j ? 0 : -p[i]![j]! / p[j]![j]!;
        expect(model.weights[i * n + j]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('scores a user as the sum of the rows of their items, i.e. X·B', () => {
    const train = randomInteractions(2);
    const model = buildEase(train, { l2: 10 });
    const n = train.itemCount;
    const users = Int32Array.from([0, 5, 17]);
    const out = new Float32Array(users.length * n);
    new EaseScorer(model, train).scoreUsers(users, out);
    const x = denseOf(train);
    const b = Array.from({ length: n }, (_, i) => Array.from(model.weights.subarray(i * n, (i + 1) * n)));
    const expected = product(users.length ? Array.from(users, (u) => x[u]!) : [], b);
    users.forEach((_, row) => expected[row]!.forEach((value, j) => expect(out[row * n + j]).toBeCloseTo(value, 5)));
  });

  it('keeps, in its sparse form, each row\'s entries of largest magnitude with their signs, as the item-item model builds it', () => {
    const train = randomInteractions(4, 60, 12);
    const n = train.itemCount;
    const model = buildEase(train, { l2: 5 });
    const k = 4;
    const sparse = sparsifyEase(model, k);
    let negative = 0;
    for (let i = 0; i < n; i += 1) {
      // Largest |B[i][j]| first, ties to the lower item, the zero diagonal left out.
      const expected = Array.from(model.weights.subarray(i * n, (i + 1) * n), (value, j) => ({ j, value }))
        .filter(({ j, value }) => j !== i && value !== 0)
        .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.j - b.j)
        .slice(0, k);
      const kept = [];
      for (let p = sparse.indptr[i]!; p < sparse.indptr[i + 1]!; p += 1) kept.push({ j: sparse.indices[p]!, value: sparse.similarities[p]! });
      expect(kept).toEqual(expected);
      negative += kept.filter(({ value }) => value < 0).length;
    }
    expect(negative).toBeGreaterThan(0);
    expect(buildItemItemModel('ease', train, { l2: 5, neighbours: k })).toEqual(sparse);
    expect(buildItemItemModel('ease', train, { l2: 5, neighbours: k }, 2)).toEqual(sparsifyEase(model, 2));
    // With every entry kept, it scores as the dense model.
    const users = Int32Array.from([0, 7, 33]);
    const [dense, full] = [new Float32Array(users.length * n), new Float32Array(users.length * n)];
    new EaseScorer(model, train).scoreUsers(users, dense);
    new ItemSimilarityScorer(sparsifyEase(model, n), train, 'ease').scoreUsers(users, full);
    dense.forEach((value, at) => expect(full[at]).toBeCloseTo(value, 5));
    expect(() => sparsifyEase(model, 0)).toThrow(/neighbours: expected a positive integer, got 0/);
  });

  it('rejects a penalty that is not positive and more items than its limit, naming them', () => {
    const train = randomInteractions(3);
    expect(() => buildEase(train, { l2: 0 })).toThrow(/l2: expected a finite number > 0, got 0/);
    const wide = interactionsFromLists([[0]], EASE_MAX_ITEMS + 1);
    expect(() => buildEase(wide)).toThrow(/more than EASE_MAX_ITEMS/);
  });
});
