import { describe, expect, it } from 'vitest';
import { buildGraphWalk, buildP3alpha, buildRP3beta } from '../../src/recommenders/graphWalk.js';
import { ItemSimilarityScorer } from '../../src/recommenders/itemSimilarityScorer.js';
import { interactionsFromLists } from '../../src/math/interactions.js';
import { Random } from '../../src/math/random.js';
import { denseOf, denseRow, expectTopKRow, product, transposed } from '../denseReference.js';

const random = new Random(11);
const train = interactionsFromLists(
  Array.from({ length: 30 }, () => Array.from({ length: 1 + random.nextInt(4) }, () => random.nextInt(8))),
  8,
);

/**
 * The matrix formula of the reference implementations: W = (P_iu)^α · (P_ui)^α with P_ui, P_iu the
 * row-normalised X and Xᵀ, columns scaled by popularity^−β, the diagonal zeroed (before each row's top k
 * is kept and normalised to sum 1).
 */
function reference(alpha: number, beta: number): number[][] {
  const x = denseOf(train);
  const rowNormalised = (m: number[][]) => m.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((value) => (sum === 0 ? 0 : (value / sum) ** alpha));
  });
  const pui = rowNormalised(x);
  const piu = rowNormalised(transposed(x));
  const popularity = transposed(x).map((row) => row.reduce((a, b) => a + b, 0));
  return product(piu, pui).map((row, i) => row.map((value, j) => (j === i ? 0 : value * (popularity[j]! === 0 ? 0 : popularity[j]! ** -beta))));
}

describe('P3α and RP3β', () => {
  it.each([
    ['P3α, α = 1', 1, 0, 8],
    ['P3α, α = 0.5, top 3', 0.5, 0, 3],
    ['RP3β, α = 0.8, β = 0.4', 0.8, 0.4, 8],
    ['RP3β, top 2', 1, 0.7, 2],
  ])('%s matches the matrix formula', (_name, alpha, beta, k) => {
    const expected = reference(alpha, beta);
    const model = buildGraphWalk(train, { alpha, beta, neighbours: k });
    for (let i = 0; i < train.itemCount; i += 1) {
      expectTopKRow(denseRow(model, i), expected[i]!, k, true, (a, b) => expect(a).toBeCloseTo(b, 6));
    }
  });

  it('P3α ignores β, RP3β discounts popular targets', () => {
    const p3 = buildP3alpha(train, { alpha: 1 });
    expect(Array.from(p3.similarities)).toEqual(Array.from(buildGraphWalk(train, { alpha: 1, beta: 0 }).similarities));
    const rp3 = buildRP3beta(train, { alpha: 1, beta: 0.5 });
    expect(rp3.indices.length).toBe(p3.indices.length);
  });

  it('scores a user as their history times W', () => {
    const model = buildRP3beta(train, { alpha: 0.7, beta: 0.3, neighbours: 4 });
    const users = Int32Array.from([0, 3, 9]);
    const out = new Float32Array(users.length * train.itemCount);
    new ItemSimilarityScorer(model, train, 'rp3beta').scoreUsers(users, out);
    const x = denseOf(train);
    const w = Array.from({ length: train.itemCount }, (_, i) => denseRow(model, i));
    product(Array.from(users, (u) => x[u]!), w).forEach((row, b) => row.forEach((value, j) => expect(out[b * train.itemCount + j]).toBeCloseTo(value, 5)));
  });

  it('names a bad hyperparameter', () => {
    expect(() => buildGraphWalk(train, { alpha: -1 })).toThrow(/alpha: expected a finite number ≥ 0, got -1/);
    expect(() => buildGraphWalk(train, { beta: Number.NaN })).toThrow(/beta/);
    expect(() => buildGraphWalk(train, { neighbours: 0 })).toThrow(/neighbours: expected a positive integer, got 0/);
  });
});
