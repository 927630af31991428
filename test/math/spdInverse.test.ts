import { describe, expect, it } from 'vitest';
import { choleskyInPlace, invertSymmetricPositiveDefinite, NotPositiveDefiniteError } from '../../src/math/spdInverse.js';
import { Random } from '../../src/math/random.js';
import { inverse } from '../denseReference.js';

/** A random symmetric positive-definite matrix: AᵀA + I for a random A. */
function randomSpd(n: number, seed: number): Float64Array {
  const random = new Random(seed);
  const a = Array.from({ length: n + 3 }, () => Array.from({ length: n }, () => random.gaussian()));
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < n; j += 1) {
      let s = i === j ? 1 : 0;
      for (const row of a) s += row[i]! * row[j]!;
      g[i * n + j] = s;
    }
  }
  return g;
}

describe('invertSymmetricPositiveDefinite', () => {
  it('matches a Gauss–Jordan inverse at sizes that cross the 64-wide blocks and the 4-row kernel', () => {
    for (const n of [1, 3, 7, 64, 65, 131]) {
      const g = randomSpd(n, n);
      const dense = Array.from({ length: n }, (_, i) => Array.from(g.subarray(i * n, (i + 1) * n)));
      const expected = inverse(dense);
      const got = invertSymmetricPositiveDefinite(g, n);
      for (let i = 0; i < n; i += 1) {
        for (let j = 0; j < n; j += 1) {
          const value = j <= i ? got[i * n + j]! : got[j * n + i]!;
          expect(Math.abs(value - expected[i]![j]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected[i]![j]!)));
        }
      }
    }
  });

  it('factors G = L·Lᵀ in the lower triangle', () => {
    const n = 70;
    const g = randomSpd(n, 5);
    const original = g.slice();
    choleskyInPlace(g, n);
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j <= i; j += 1) {
        let s = 0;
        for (let t = 0; t <= j; t += 1) s += g[i * n + t]! * g[j * n + t]!;
        expect(s).toBeCloseTo(original[i * n + j]!, 8);
      }
    }
  });

  it('names the pivot of a matrix that is not positive definite', () => {
    const g = Float64Array.from([1, 2, 2, 1]); // eigenvalues 3 and −1
    expect(() => invertSymmetricPositiveDefinite(g, 2)).toThrow(NotPositiveDefiniteError);
    expect(() => invertSymmetricPositiveDefinite(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/pivot 1 is -3/);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => invertSymmetricPositiveDefinite(new Float64Array(5), 2)).toThrow(/expected 2 × 2 = 4 values, got 5/);
  });
});
