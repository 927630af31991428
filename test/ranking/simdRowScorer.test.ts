import { describe, expect, it } from 'vitest';
import { loadTransEWasm } from '../../src/kge/simd/loadTransEWasm.js';
import { SimdRowScorer } from '../../src/ranking/simdRowScorer.js';
import { negativeDistances } from '../../src/ranking/vectorMath.js';

/** The SIMD whole-catalogue pass gives the plain loops' scores, for both distances and any width. */

async function kernels(): Promise<WebAssembly.Module> {
  const loaded = await loadTransEWasm();
  if (!loaded.module) throw new Error(`the SIMD kernels did not load: ${loaded.reason}`);
  return loaded.module;
}

/** Deterministic pseudo-random values in [-1, 1). */
function filled(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

describe('SimdRowScorer', () => {
  for (const distance of ['L1', 'L2'] as const) {
    for (const dimension of [64, 13, 3]) {
      it(`matches the plain pass (${distance}, dimension ${dimension}) and keeps no state between queries`, async () => {
        const rows = 257;
        const matrix = filled(rows * dimension, dimension);
        const scorer = new SimdRowScorer(await kernels(), matrix, rows, dimension, distance);
        for (const seed of [1, 2]) {
          const query = filled(dimension, 100 + seed);
          const expected = new Float32Array(rows);
          negativeDistances(matrix, rows, dimension, query, distance, expected);
          const actual = new Float32Array(rows);
          scorer.score(query, actual);
          for (let row = 0; row < rows; row += 1) expect(actual[row]).toBeCloseTo(expected[row] as number, 4);
        }
        // A row equal to the query is at distance 0, not a rounding error away.
        const exact = new Float32Array(rows);
        scorer.score(matrix.subarray(5 * dimension, 6 * dimension), exact);
        expect(Math.abs(exact[5] as number)).toBe(0);
        expect(Math.abs(Math.max(...exact))).toBe(0);
      });
    }
  }
});
